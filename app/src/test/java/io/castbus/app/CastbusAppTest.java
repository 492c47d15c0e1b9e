package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The all-in-one app: seed 000's job API, state kept across restarts, database outages survived")
class CastbusAppTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path data;

  private record Running(CastbusApp app, ApiClient api) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      app.close();
    }
  }

  private Running start(String databaseUrl, int port) throws Exception {
    var env = new HashMap<String, String>();
    env.put("HTTP_PORT", String.valueOf(port));
    env.put("DATA_DIR", data.toString());
    env.put("DOWNLOAD_DIR", data.resolve("downloads").toString());
    if (databaseUrl != null) {
      env.put("DATABASE_URL", databaseUrl);
    }
    var app = CastbusApp.start(Settings.load(env, Settings.AuthMode.LOCAL_OPEN));
    return new Running(app, new ApiClient("http://127.0.0.1:" + port, null));
  }

  @Test
  @DisplayName("pause, a changed trigger and run history survive a restart; trigger and resume work over HTTP")
  void restartKeepsState() throws Exception {
    try (var db = TestDatabase.create("app_restart")) {
      var port = ChildProcess.freePort();
      String runId;
      try (var first = start(db.url(), port)) {
        var api = first.api();
        var jobs = api.get("/api/jobs");
        assertThat(jobs.status()).as("loopback needs no key in local-open").isEqualTo(200);
        assertThat(jobs.json().getJsonArray("jobs").stream().map(j -> ((io.vertx.core.json.JsonObject) j)
            .getString("id"))).contains("process_downloads", "cleanup_episodes");
        assertThat(api.post("/api/jobs/expire_runs/pause", null).json().getBoolean("paused")).isTrue();
        var changed = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": {\"type\": \"interval\", \"seconds\": 600}}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        runId = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
        api.awaitRun(runId, "completed", WAIT);
      }
      try (var second = start(db.url(), port)) {
        var api = second.api();
        var job = api.get("/api/jobs/expire_runs").json();
        assertThat(job.getBoolean("paused")).isTrue();
        assertThat(job.getValue("next_run_time")).isNull();
        assertThat(job.getString("trigger")).isEqualTo("interval[0:10:00]");
        assertThat(job.getJsonObject("last_run").getString("id")).isEqualTo(runId);
        assertThat(api.get("/api/runs/" + runId).json().getString("status")).isEqualTo("completed");

        var resumed = api.post("/api/jobs/expire_runs/resume", null).json();
        assertThat(resumed.getBoolean("paused")).isFalse();
        assertThat(resumed.getString("next_run_time")).isNotNull();
      }
    }
  }

  @Test
  @DisplayName("without DATABASE_URL an embedded PostgreSQL in DATA_DIR/pg keeps the data across restarts")
  void embeddedDatabasePersists() throws Exception {
    var port = ChildProcess.freePort();
    String runId;
    try (var first = start(null, port)) {
      assertThat(data.resolve("pg").resolve("PG_VERSION")).exists();
      first.api().post("/api/jobs/expire_runs/pause", null);
      runId = first.api().post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
      first.api().awaitRun(runId, "completed", WAIT);
    }
    try (var second = start(null, port)) {
      assertThat(second.api().get("/api/jobs/expire_runs").json().getBoolean("paused")).isTrue();
      assertThat(second.api().get("/api/runs/" + runId).json().getString("status")).isEqualTo("completed");
    }
  }

  @Test
  @DisplayName("database down → 503 from /health/ready and the API; back → recovers by itself, nothing lost")
  void databaseOutage() throws Exception {
    var pgPort = ChildProcess.freePort();
    var pgDir = data.resolve("outage-pg");
    var postgres = EmbeddedPostgres.builder().setDataDirectory(pgDir.toFile()).setCleanDataDirectory(false)
        .setPort(pgPort).start();
    try {
      var url = "postgresql://postgres@127.0.0.1:" + pgPort + "/postgres";
      var port = ChildProcess.freePort();
      try (var running = start(url, port)) {
        var api = running.api();
        var before = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
        api.awaitRun(before, "completed", WAIT);

        postgres.close();
        var ready = api.callUntil(503, WAIT, "GET", "/health/ready", null);
        assertThat(ready.json().getJsonObject("checks").getJsonObject("database").getString("status"))
            .isEqualTo("down");
        var jobs = api.callUntil(503, WAIT, "GET", "/api/jobs", null);
        assertThat(jobs.json().getString("error")).isEqualTo("unavailable");
        assertThat(jobs.json().getString("message")).containsIgnoringCase("database");

        postgres = EmbeddedPostgres.builder().setDataDirectory(pgDir.toFile()).setCleanDataDirectory(false)
            .setPort(pgPort).start();
        api.callUntil(200, WAIT, "GET", "/health/ready", null);
        var after = api.callUntil(202, WAIT, "POST", "/api/jobs/expire_runs/trigger", null).json().getString("run_id");
        api.awaitRun(after, "completed", WAIT);
        assertThat(api.get("/api/runs/" + before).json().getString("status")).isEqualTo("completed");
        Waits.until(WAIT, "both runs listed", () -> api.get("/api/runs?job=expire_runs").json()
            .getJsonArray("runs").size() >= 2);
      }
    } finally {
      postgres.close();
    }
  }
}
