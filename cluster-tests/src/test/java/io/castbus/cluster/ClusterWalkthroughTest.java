package io.castbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Waits;
import io.castbus.testkit.WalkingPodcast;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Seed 000's walk-through on a cluster of separate JVMs, with a downloads and a scheduler process killed")
class ClusterWalkthroughTest {

  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final List<String> MODULES = List.of("gateway", "scheduler-verticle", "scheduler-verticle",
      "feeds-verticle", "feeds-verticle", "downloads-verticle", "downloads-verticle", "cleanup-verticle");

  private static List<JsonObject> episodes(ApiClient api, long podcast) {
    return answered(api, "GET", "/api/podcasts/" + podcast + "/episodes?limit=50", null, 200).json()
        .getJsonArray("episodes").stream().map(JsonObject.class::cast).toList();
  }

  private static List<JsonObject> downloadRuns(ApiClient api) {
    return ClusterFixture.downloadRuns(api, WAIT);
  }

  private static long completed(ApiClient api) {
    return answered(api, "GET", "/api/downloads?status=completed", null, 200).json().getLong("total");
  }

  private static ApiClient.Response answered(ApiClient api, String method, String path, String body, int status) {
    return ClusterFixture.answered(api, method, path, body, status, WAIT);
  }

  private static List<Path> partials(Path downloads) throws Exception {
    try (var files = Files.walk(downloads)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
    }
  }

  @Test
  @DisplayName("1 gateway, 2 schedulers, 2 feeds, 2 downloads, 1 cleanup: podcasts added over HTTP are downloaded "
      + "byte-exact although a downloads process is killed mid-file, a killed scheduler's jobs fire exactly once "
      + "per due time, and cleanup keeps the newest N")
  void walkthroughWithKills() throws Exception {
    try (var media = new SlowFeedServer(5); var cluster = new ClusterFixture("walkthrough", MODULES.size())) {
      var feedUrl = media.feedUrl();
      var downloads = cluster.logs.resolve("downloads").toAbsolutePath();
      var members = cluster.startAll(MODULES, Map.of("DOWNLOAD_DIR", downloads.toString(),
          "ALLOW_PRIVATE_NETWORKS", "true", "DOWNLOAD_MIN_FREE_MB", "1"), START);
      var api = cluster.api(members.get(0));
      var schedulerToKill = members.get(1);

      Waits.until(START, "every module's jobs registered", () -> {
        var jobs = api.get("/api/jobs");
        return jobs.status() == 200 && jobs.json().getJsonArray("jobs").stream()
            .map(j -> ((JsonObject) j).getString("id")).toList()
            .containsAll(List.of("refresh_podcasts", "process_downloads", "cleanup_episodes", "expire_runs"));
      });
      var every2s = answered(api, "PUT", "/api/jobs/expire_runs",
          "{\"trigger\": {\"type\": \"interval\", \"seconds\": 2}}", 200);
      assertThat(every2s.json().getString("trigger")).isEqualTo("interval[0:00:02]");

      var added = answered(api, "POST", "/api/podcasts", new JsonObject().put("rss_url", feedUrl)
          .put("max_episodes_to_keep", 3).put("auto_download", true).encode(), 201);
      var id = added.json().getLong("id");
      assertThat(added.json().getLong("episode_count")).isEqualTo(5L);
      assertThat(downloadRuns(api)).hasSize(3);

      var victim = ClusterFixture.downloadUnderWay(api, WAIT);
      var deadWorker = victim.getString("worker");
      var downloadsToKill = cluster.ownerOf(deadWorker);
      assertThat(downloadsToKill.name()).startsWith("downloads-verticle");
      downloadsToKill.kill();
      var killedAt = System.nanoTime();
      schedulerToKill.kill();
      var schedulerKilledAt = Instant.now();
      System.out.printf("killed %s (worker %s, run %s at %s bytes) and %s%n", downloadsToKill.name(), deadWorker,
          victim.getString("id"), victim.getJsonObject("progress").getLong("current"), schedulerToKill.name());

      var runPath = "/api/runs/" + victim.getString("id");
      Waits.until(WAIT, "the killed download picked up by the other replica", () -> {
        var run = answered(api, "GET", runPath, null, 200).json();
        var worker = run.getString("worker");
        return "completed".equals(run.getString("status")) || worker != null && !worker.equals(deadWorker);
      });
      var pickup = Duration.ofNanos(System.nanoTime() - killedAt);
      System.out.printf("killed download picked up %d ms after the kill (lease %d s)%n", pickup.toMillis(),
          LEASE.toSeconds());
      assertThat(pickup).as("picked up within lease + 5 s, with margin").isLessThan(LEASE.plusSeconds(10));

      Waits.until(WAIT, "the 3 newest downloaded", () -> completed(api) == 3);
      var listed = episodes(api, id);
      assertThat(listed.stream().map(e -> e.getString("download_status")))
          .containsExactly("completed", "completed", "completed", "none", "none");
      for (var k = 3; k <= 5; k++) {
        var file = downloads.resolve(listed.get(5 - k).getString("file_path"));
        assertThat(file.getFileName().toString()).endsWith(" - Walk " + k + ".mp3");
        assertThat(Files.readAllBytes(file)).as("walk %d byte-exact", k).isEqualTo(WalkingPodcast.audio(k));
      }
      assertThat(partials(downloads)).as("no partial file left").isEmpty();
      assertThat(answered(api, "GET", runPath, null, 200).json().getInteger("attempts")).isGreaterThanOrEqualTo(1);

      media.publish(6);
      var refresh = answered(api, "POST", "/api/podcasts/" + id + "/refresh", null, 202);
      var refreshed = api.awaitRun(refresh.json().getString("run_id"), "completed", WAIT);
      assertThat(refreshed.getJsonObject("result").getInteger("added")).isEqualTo(1);
      Waits.until(WAIT, "the new episode downloaded", () -> completed(api) == 4);
      var newest = episodes(api, id).get(0);
      assertThat(newest.getString("title")).isEqualTo("Walk 6");
      assertThat(Files.readAllBytes(downloads.resolve(newest.getString("file_path"))))
          .isEqualTo(WalkingPodcast.audio(6));

      answered(api, "PUT", "/api/episodes/" + newest.getLong("id"), "{\"keep\": true}", 200);
      answered(api, "PUT", "/api/podcasts/" + id, "{\"max_episodes_to_keep\": 2}", 200);
      var cleanup = answered(api, "POST", "/api/jobs/cleanup_episodes/trigger", null, 202).json().getString("run_id");
      var cleaned = api.awaitRun(cleanup, "completed", WAIT).getJsonObject("result");
      assertThat(cleaned.getInteger("files_deleted")).as("walk 3 goes; 6 is kept, 5 and 4 are the newest 2")
          .isEqualTo(1);
      try (var files = Files.list(downloads.resolve("Walking Podcast"))) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .hasSize(3).allMatch(n -> n.endsWith("Walk 4.mp3") || n.endsWith("Walk 5.mp3") || n.endsWith("Walk 6.mp3"));
      }
      assertThat(downloadRuns(api)).as("one download run per episode, none lost or doubled").hasSize(4);

      Waits.until(WAIT, "expire_runs fired 5 more times after the scheduler was killed",
          () -> cluster.db.queryLong("select count(*) from runs where job_id = 'expire_runs' and due_at > '"
              + schedulerKilledAt + "'") >= 5);
      assertThat(cluster.db.queryLong("select count(*) from (select due_at from runs where job_id = 'expire_runs' "
          + "and due_at is not null group by due_at having count(*) > 1) doubled"))
          .as("due times fired more than once").isZero();
      assertThat(members.stream().filter(ChildProcess::isAlive).count()).as("every other member still up").isEqualTo(6);
    }
  }
}
