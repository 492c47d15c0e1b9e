package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Waits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded database of the README's run: durable, back after SIGKILL, closed to other local users")
class EmbeddedDatabaseTest {

  private static final Duration FIRST_START = Duration.ofSeconds(120);
  private static final Duration BACK_WITHIN = Duration.ofSeconds(60);

  @TempDir
  Path data;

  @AfterEach
  void stopAnyLeftoverServer() throws Exception {
    LeftoverPostmaster.stopIfRunning(data.resolve("pg"));
  }

  private ChildProcess app(int port, String life) throws Exception {
    return ChildProcess.startMain("castbus-app-" + life, AppMain.class.getName(), Map.of(
        "HTTP_PORT", String.valueOf(port),
        "DATA_DIR", data.toString(),
        "DOWNLOAD_DIR", data.resolve("downloads").toString(),
        "DOWNLOAD_MIN_FREE_MB", "1"), data.resolve("logs"));
  }

  @Test
  @DisplayName("killed with SIGKILL while runs are enqueued over the API and started again at once: ready within "
      + "60 s, every acknowledged run there; fsync and synchronous commit on; SIGTERM stops the server cleanly")
  void backAfterSigkillWithNothingLost() throws Exception {
    var port = ChildProcess.freePort();
    var acknowledged = new CopyOnWriteArrayList<String>();
    try (var first = app(port, "first")) {
      first.awaitReady(FIRST_START);
      var api = new ApiClient(first.baseUrl(), null);
      var stop = new AtomicBoolean();
      var enqueuer = new Thread(() -> {
        while (!stop.get()) {
          try {
            var answer = api.post("/api/jobs/expire_runs/trigger", null);
            if (answer.status() == 202) {
              acknowledged.add(answer.json().getString("run_id"));
            }
          } catch (AssertionError connectionGone) {
            return;
          }
        }
      }, "enqueuer");
      enqueuer.start();
      Waits.until(Duration.ofSeconds(60), "40 runs acknowledged", () -> acknowledged.size() >= 40);
      first.kill();
      stop.set(true);
      enqueuer.join();
    }
    var postmaster = Files.readAllLines(data.resolve("pg").resolve("postmaster.pid"));
    assertThat(ProcessHandle.of(Long.parseLong(postmaster.get(0))).map(ProcessHandle::isAlive))
        .as("the killed app's PostgreSQL server outlives it").contains(true);

    try (var second = app(port, "second")) {
      second.awaitReady(BACK_WITHIN);
      var api = new ApiClient(second.baseUrl(), null);
      for (var runId : acknowledged) {
        var run = api.get("/api/runs/" + runId);
        assertThat(run.status()).as("acknowledged run %s after the crash", runId).isEqualTo(200);
      }
      assertThat(second.tail()).contains("left by an earlier run still serves");

      try (var connection = connect(password())) {
        assertThat(setting(connection, "fsync")).isEqualTo("on");
        assertThat(setting(connection, "synchronous_commit")).isEqualTo("on");
        assertThat(setting(connection, "full_page_writes")).isEqualTo("on");
      }
      assertRefusedWithoutThePassword();
      assertThat(Files.getPosixFilePermissions(data.resolve("pg-password")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));

      assertThat(second.terminate(Duration.ofSeconds(30))).isIn(0, 143);
      assertThat(data.resolve("pg").resolve("postmaster.pid")).as("a cleanly stopped server removes its lock file")
          .doesNotExist();
    }
  }

  @Test
  @DisplayName("a data directory of the previous version (trust for every local connection) starts, keeps its data "
      + "and from then on asks every connection for the password")
  void previousVersionsDataDirectoryIsUpgraded() throws Exception {
    var pgDir = data.resolve("pg");
    Files.createDirectories(pgDir);
    String runId;
    // The previous version's embedded server: the library's defaults, trust for every local connection.
    try (var old = EmbeddedPostgres.builder().setDataDirectory(pgDir.toFile()).setCleanDataDirectory(false).start()) {
      var port = ChildProcess.freePort();
      var env = Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.resolve("previous").toString(),
          "DOWNLOAD_DIR", data.resolve("downloads").toString(), "DOWNLOAD_MIN_FREE_MB", "1",
          "DATABASE_URL", "postgresql://postgres@localhost:" + old.getPort() + "/postgres");
      try (var previous = CastbusApp.start(Settings.load(env, Settings.AuthMode.LOCAL_OPEN))) {
        var api = new ApiClient("http://127.0.0.1:" + port, null);
        runId = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
        api.awaitRun(runId, "completed", FIRST_START);
        assertThat(api.post("/api/jobs/cleanup_episodes/pause", null).status()).isEqualTo(200);
      }
    }
    assertThat(EmbeddedCredentials.trusts(pgDir)).isTrue();

    try (var app = app(ChildProcess.freePort(), "upgraded")) {
      app.awaitReady(FIRST_START);
      var api = new ApiClient(app.baseUrl(), null);
      assertThat(api.get("/api/runs/" + runId).json().getString("status")).isEqualTo("completed");
      assertThat(api.get("/api/jobs/cleanup_episodes").json().getBoolean("paused")).isTrue();
      assertRefusedWithoutThePassword();
      assertThat(EmbeddedCredentials.trusts(pgDir)).isFalse();
      app.terminate(Duration.ofSeconds(30));
    }
  }

  private void assertRefusedWithoutThePassword() {
    assertThatThrownBy(() -> connect(null).close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
    assertThatThrownBy(() -> connect("not-the-password").close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  private String password() throws Exception {
    return Files.readString(data.resolve("pg-password")).strip();
  }

  /** The running server's port, as its postmaster.pid gives it (fourth line). */
  private Connection connect(String password) throws Exception {
    List<String> pid = Files.readAllLines(data.resolve("pg").resolve("postmaster.pid"));
    var url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).strip() + "/postgres";
    return password == null ? DriverManager.getConnection(url, "postgres", null)
        : DriverManager.getConnection(url, "postgres", password);
  }

  private static String setting(Connection connection, String name) throws SQLException {
    try (var rows = connection.createStatement().executeQuery("show " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
