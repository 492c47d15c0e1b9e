package io.castbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Waits;
import io.castbus.testkit.WalkingPodcast;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The cluster under failure: members stopped, killed, restarted, and PostgreSQL restarted beneath them")
class ClusterFailureTest {

  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** A request that takes this long counts as hung (the gateway's own bus timeout is 10 s). */
  private static final Duration HANG = Duration.ofSeconds(15);

  private static ApiClient.Response answered(ApiClient api, String method, String path, String body, int status) {
    return ClusterFixture.answered(api, method, path, body, status, WAIT);
  }

  private static List<JsonObject> downloadRuns(ApiClient api) {
    return ClusterFixture.downloadRuns(api, WAIT);
  }

  /** Requests sent one after another on a thread of their own, each answer's status and time kept. */
  private static final class Traffic implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final List<Long> slow = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Traffic(ApiClient api, String path) {
      thread = new Thread(() -> {
        while (running.get()) {
          var started = System.nanoTime();
          var status = api.get(path).status();
          var millis = (System.nanoTime() - started) / 1_000_000;
          statuses.merge(status, 1, Integer::sum);
          if (millis >= HANG.toMillis()) {
            slow.add(millis);
          }
          Waits.sleep(50);
        }
      }, "traffic");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(HANG.toMillis() * 3);
    }
  }

  @Test
  @DisplayName("SIGTERM of a downloads process hands its runs back at once, another replica finishes them byte-exact, "
      + "the process exits within 10 s, and requests flowing while members join and leave never hang")
  void sigtermHandsRunsBack() throws Exception {
    var modules = List.of("gateway", "feeds-verticle", "downloads-verticle", "downloads-verticle",
        "scheduler-verticle");
    try (var media = new SlowFeedServer(3); var cluster = new ClusterFixture("sigterm", modules.size() + 1)) {
      var downloads = cluster.logs.resolve("downloads").toAbsolutePath();
      var env = Map.of("DOWNLOAD_DIR", downloads.toString(), "ALLOW_PRIVATE_NETWORKS", "true",
          "DOWNLOAD_MIN_FREE_MB", "1");
      var members = cluster.startAll(modules, env, START);
      var api = cluster.api(members.get(0));
      answered(api, "GET", "/api/jobs", null, 200);

      try (var traffic = new Traffic(api, "/api/jobs")) {
        var added = answered(api, "POST", "/api/podcasts", new JsonObject().put("rss_url", media.feedUrl())
            .put("max_episodes_to_keep", 3).encode(), 201);
        var victim = ClusterFixture.downloadUnderWay(api, WAIT);
        var leaving = cluster.ownerOf(victim.getString("worker"));
        var stoppedAt = System.nanoTime();
        assertThat(leaving.terminate(Duration.ofSeconds(10))).as("exit code after SIGTERM").isIn(0, 143);
        System.out.printf("%s exited %d ms after SIGTERM%n", leaving.name(),
            (System.nanoTime() - stoppedAt) / 1_000_000);
        assertThat(leaving.printed("stopped")).as("left the cluster cleanly:\n" + leaving.tail()).isTrue();

        var runPath = "/api/runs/" + victim.getString("id");
        Waits.until(WAIT, "the handed-back download taken by the other replica", () -> {
          var run = answered(api, "GET", runPath, null, 200).json();
          return "completed".equals(run.getString("status"))
              || run.getString("worker") != null && !run.getString("worker").equals(victim.getString("worker"));
        });
        var handedBack = Duration.ofNanos(System.nanoTime() - stoppedAt);
        System.out.printf("handed-back download picked up %d ms after SIGTERM%n", handedBack.toMillis());
        // Given back by the leaving replica itself, its attempt not counted — not reaped after its lease ran out:
        // the run's own record says so.
        var events = answered(api, "GET", runPath + "/events", null, 200).json().getJsonArray("events");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("message")))
            .as("given back at shutdown, not stalled").noneMatch(m -> m.startsWith("stalled"));
        assertThat(answered(api, "GET", runPath, null, 200).json().getInteger("attempts"))
            .as("the stopped attempt is not counted").isEqualTo(1);

        var joining = cluster.start("scheduler-verticle", modules.size(), env);
        joining.awaitReady(START);
        members.get(4).kill();
        Waits.until(WAIT, "the 3 episodes downloaded", () -> answered(api, "GET", "/api/downloads?status=completed",
            null, 200).json().getLong("total") == 3);
        answered(api, "GET", "/api/jobs", null, 200);
        traffic.close();
        System.out.printf("requests while members joined and left: %s%n", traffic.statuses);
        assertThat(traffic.slow).as("requests answered only after %s", HANG).isEmpty();
        assertThat(traffic.statuses.keySet()).as("answers while members joined and left").isSubsetOf(200, 503)
            .contains(200);

        var episodes = answered(api, "GET", "/api/podcasts/" + added.json().getLong("id") + "/episodes", null, 200)
            .json().getJsonArray("episodes").stream().map(JsonObject.class::cast).toList();
        for (var episode : episodes) {
          var k = Integer.parseInt(episode.getString("title").substring("Walk ".length()));
          assertThat(Files.readAllBytes(downloads.resolve(episode.getString("file_path")))).as("walk %d", k)
              .isEqualTo(WalkingPodcast.audio(k));
        }
        try (var files = Files.walk(downloads)) {
          assertThat(files.filter(f -> f.toString().endsWith(".part")).toList()).isEmpty();
        }
        assertThat(downloadRuns(api)).hasSize(3);
      }
    }
  }

  @Test
  @DisplayName("a restarted gateway answers 503 until it is ready, and the event stream resumes with Last-Event-ID, "
      + "runs that changed while it was down included")
  void gatewayRestartResumesEvents() throws Exception {
    var modules = List.of("gateway", "scheduler-verticle", "cleanup-verticle");
    try (var cluster = new ClusterFixture("gateway_restart", modules.size())) {
      var members = cluster.startAll(modules, Map.of(), START);
      var gateway = members.get(0);
      var api = cluster.api(gateway);
      answered(api, "GET", "/api/jobs", null, 200);

      Long lastSeen;
      try (var events = new SseReader(gateway.baseUrl(), ClusterFixture.ADMIN_KEY, null)) {
        var first = answered(api, "POST", "/api/jobs/expire_runs/trigger", null, 202).json().getString("run_id");
        Waits.until(WAIT, "the first run's completion streamed", () -> !events.received(
            e -> first.equals(e.getString("run_id")) && "completed".equals(e.getString("status"))).isEmpty());
        lastSeen = events.lastId();
      }
      // A run that starts and ends after the client's last event and is never seen by the restarted gateway: only the
      // catch-up from the database can tell the client about it.
      var missed = answered(api, "POST", "/api/jobs/expire_runs/trigger", null, 202).json().getString("run_id");
      api.awaitRun(missed, "completed", WAIT);
      assertThat(gateway.terminate(Duration.ofSeconds(10))).isIn(0, 143);

      var restarted = cluster.start("gateway", 0, Map.of("HTTP_PORT", String.valueOf(gateway.httpPort())));
      var seen = new java.util.TreeSet<Integer>();
      Waits.until(START, "the restarted gateway answering", () -> {
        var started = System.nanoTime();
        var status = api.get("/api/jobs").status();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a request while the gateway restarts")
            .isLessThan(HANG);
        seen.add(status);
        return status == 200;
      });
      System.out.printf("statuses while the gateway restarted: %s (-1: connection refused)%n", seen);
      assertThat(seen).as("refused while down, 503 while not ready, then 200").isSubsetOf(-1, 503, 200);

      var second = answered(api, "POST", "/api/jobs/expire_runs/trigger", null, 202).json().getString("run_id");
      api.awaitRun(second, "completed", WAIT);
      try (var resumed = new SseReader(restarted.baseUrl(), ClusterFixture.ADMIN_KEY, lastSeen)) {
        Waits.until(WAIT, "the run completed after the restart, before the stream resumed, replayed",
            () -> !resumed.received(e -> second.equals(e.getString("run_id"))
                && "completed".equals(e.getString("status"))).isEmpty());
        assertThat(resumed.received(e -> true)).allMatch(e -> e.id() > lastSeen);
        assertThat(resumed.received(e -> missed.equals(e.getString("run_id"))))
            .as("the run that ended while the gateway was down, from the catch-up")
            .anySatisfy(e -> assertThat(e.data().getString("status")).isEqualTo("completed"));
        assertThat(resumed.received(e -> e.containsKey("complete") && e.containsKey("since")))
            .as("the resync event after the catch-up").hasSize(1)
            .allSatisfy(e -> assertThat(e.data().getBoolean("complete")).isTrue());
      }
    }
  }

  @Test
  @DisplayName("PostgreSQL stopped and started again under load: every process recovers by itself and no run is lost")
  void postgresRestart() throws Exception {
    var modules = List.of("gateway", "scheduler-verticle", "cleanup-verticle", "cleanup-verticle");
    var port = ChildProcess.freePort();
    var dataDir = Files.createTempDirectory("castbus-pg");
    var postgres = new Postgres(port, dataDir);
    try (var cluster = new ClusterFixture("postgres_restart", modules.size())) {
      var members = cluster.startAll(modules, Map.of("DATABASE_URL", postgres.url()), START);
      var api = cluster.api(members.get(0));
      answered(api, "GET", "/api/jobs", null, 200);

      var accepted = new CopyOnWriteArrayList<String>();
      var statuses = new ConcurrentHashMap<Integer, Integer>();
      var running = new AtomicBoolean(true);
      var load = new Thread(() -> {
        while (running.get()) {
          var response = api.post("/api/jobs/expire_runs/trigger", null);
          statuses.merge(response.status(), 1, Integer::sum);
          if (response.status() == 202) {
            accepted.add(response.json().getString("run_id"));
          }
          Waits.sleep(100);
        }
      }, "load");
      load.start();
      Waits.until(WAIT, "runs accepted before the restart", () -> accepted.size() >= 10);
      postgres.stop();
      var acceptedBefore = accepted.size();
      Waits.sleep(5_000);
      postgres.start();
      Waits.until(START, "runs accepted again after the restart", () -> accepted.size() >= acceptedBefore + 10);
      running.set(false);
      load.join();
      System.out.printf("trigger answers around the PostgreSQL restart: %s%n", statuses);
      assertThat(statuses.keySet()).as("202 or 503 while the database is away").isSubsetOf(202, 503);

      for (var member : members) {
        assertThat(member.isAlive()).as(member.name()).isTrue();
        member.awaitReady(WAIT);
      }
      for (var runId : accepted) {
        api.awaitRun(runId, "completed", WAIT);
      }
    } finally {
      postgres.stop();
    }
  }

  /** An embedded PostgreSQL on a fixed port whose data directory outlives a stop, so it can be started again. */
  private static final class Postgres {
    private final int port;
    private final Path dataDir;
    private EmbeddedPostgres server;

    Postgres(int port, Path dataDir) throws Exception {
      this.port = port;
      this.dataDir = dataDir;
      start();
    }

    String url() {
      return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    void start() throws Exception {
      server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir).setCleanDataDirectory(false).start();
    }

    void stop() throws Exception {
      if (server != null) {
        server.close();
        server = null;
      }
    }
  }
}
