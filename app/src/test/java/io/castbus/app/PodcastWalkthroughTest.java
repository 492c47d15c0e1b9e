package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.castbus.testkit.WalkingPodcast;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Seed 000's walk-through against the all-in-one app: a loopback feed, its episodes on disk, then cleanup")
class PodcastWalkthroughTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path data;

  private static List<JsonObject> episodes(ApiClient api, long podcast) {
    return api.get("/api/podcasts/" + podcast + "/episodes?limit=50").json().getJsonArray("episodes").stream()
        .map(JsonObject.class::cast).toList();
  }

  private static long completed(ApiClient api) {
    return api.get("/api/downloads?status=completed").json().getLong("total");
  }

  @Test
  @DisplayName("add with auto_download → the 3 newest downloaded byte-exact; refresh → exactly the new one; "
      + "cleanup keeps the newest N and a refresh never brings a deleted one back")
  void walkthrough() throws Exception {
    var vertx = Vertx.vertx();
    var episodes = new AtomicInteger(5);
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      var media = java.util.regex.Pattern.compile("/media/walk-(\\d+)\\.mp3").matcher(req.path());
      if (media.matches()) {
        req.response().putHeader("Content-Type", "audio/mpeg")
            .end(io.vertx.core.buffer.Buffer.buffer(WalkingPodcast.audio(Integer.parseInt(media.group(1)))));
      } else {
        req.response().putHeader("Content-Type", "application/rss+xml")
            .end(WalkingPodcast.feed("http://127.0.0.1:" + req.localAddress().port() + "/media", episodes.get()));
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    var feedUrl = "http://127.0.0.1:" + server.actualPort() + "/walk.xml";
    var downloads = data.resolve("downloads");
    try (var db = TestDatabase.create("app_walkthrough")) {
      var port = ChildProcess.freePort();
      var env = Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
          "DOWNLOAD_DIR", downloads.toString(), "DATABASE_URL", db.url(), "ALLOW_PRIVATE_NETWORKS", "true",
          "DOWNLOAD_MIN_FREE_MB", "1");
      try (var app = CastbusApp.start(Settings.load(env, Settings.AuthMode.LOCAL_OPEN))) {
        var api = new ApiClient("http://127.0.0.1:" + port, null);
        var jobs = api.get("/api/jobs").json().getJsonArray("jobs");
        assertThat(jobs.stream().map(j -> ((JsonObject) j).getString("id")))
            .contains("refresh_podcasts", "process_downloads", "cleanup_episodes");

        var added = api.post("/api/podcasts", new JsonObject().put("rss_url", feedUrl).put("max_episodes_to_keep", 3)
            .put("auto_download", true).encode());
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        var id = added.json().getLong("id");
        assertThat(added.json().getString("title")).isEqualTo("Walking Podcast");
        assertThat(added.json().getLong("episode_count")).isEqualTo(5L);
        assertThat(api.post("/api/podcasts", new JsonObject().put("rss_url", feedUrl).encode()).status())
            .isEqualTo(409);
        assertThat(api.post("/api/podcasts", new JsonObject().put("rss_url", feedUrl).put("max_episodes_to_keep", 0)
            .encode()).status()).isEqualTo(400);

        assertThat(episodes(api, id).stream().map(e -> e.getString("title")))
            .containsExactly("Walk 5", "Walk 4", "Walk 3", "Walk 2", "Walk 1");
        assertThat(api.get("/api/runs?type=download_episode&limit=50").json().getJsonArray("runs")).hasSize(3);
        Waits.until(WAIT, "the 3 newest downloaded", () -> completed(api) == 3);
        var listed = episodes(api, id);
        assertThat(listed.stream().map(e -> e.getString("download_status")))
            .containsExactly("completed", "completed", "completed", "none", "none");
        for (var k = 3; k <= 5; k++) {
          var episode = listed.get(5 - k);
          var file = downloads.resolve(episode.getString("file_path"));
          assertThat(file.getParent().getFileName().toString()).isEqualTo("Walking Podcast");
          assertThat(file.getFileName().toString()).endsWith(" - Walk " + k + ".mp3");
          assertThat(Files.readAllBytes(file)).as("walk %d byte-exact", k).isEqualTo(WalkingPodcast.audio(k));
        }

        episodes.set(6);
        var refresh = api.post("/api/podcasts/" + id + "/refresh", null);
        assertThat(refresh.status()).as(refresh.toString()).isEqualTo(202);
        var run = api.awaitRun(refresh.json().getString("run_id"), "completed", WAIT);
        assertThat(run.getJsonObject("result").getInteger("added")).isEqualTo(1);
        Waits.until(WAIT, "the new episode downloaded", () -> completed(api) == 4);
        var newest = episodes(api, id).get(0);
        assertThat(newest.getString("title")).isEqualTo("Walk 6");
        assertThat(Files.readAllBytes(downloads.resolve(newest.getString("file_path"))))
            .isEqualTo(WalkingPodcast.audio(6));

        var kept = api.call("PUT", "/api/episodes/" + newest.getLong("id"), "{\"keep\": true}");
        assertThat(kept.json().getBoolean("keep")).isTrue();
        var updated = api.call("PUT", "/api/podcasts/" + id, "{\"max_episodes_to_keep\": 2}");
        assertThat(updated.json().getInteger("max_episodes_to_keep")).isEqualTo(2);
        var cleanup = api.post("/api/jobs/cleanup_episodes/trigger", null).json().getString("run_id");
        var cleaned = api.awaitRun(cleanup, "completed", WAIT).getJsonObject("result");
        assertThat(cleaned.getInteger("files_deleted")).as("walk 3 goes; 6 is kept, 5 and 4 are the newest 2")
            .isEqualTo(1);
        assertThat(cleaned.getLong("bytes_freed")).isEqualTo((long) WalkingPodcast.EPISODE_BYTES);
        try (var files = Files.list(downloads.resolve("Walking Podcast"))) {
          assertThat(files.map(f -> f.getFileName().toString()))
              .hasSize(3).allMatch(n -> n.endsWith("Walk 4.mp3") || n.endsWith("Walk 5.mp3") || n.endsWith("Walk 6.mp3"));
        }
        var again = api.post("/api/podcasts/" + id + "/refresh", null).json().getString("run_id");
        api.awaitRun(again, "completed", WAIT);
        var walk3 = episodes(api, id).stream().filter(e -> e.getString("title").equals("Walk 3")).findFirst()
            .orElseThrow();
        assertThat(walk3.getString("download_status")).isEqualTo("deleted");
        assertThat(api.get("/api/runs?type=download_episode&limit=50").json().getJsonArray("runs"))
            .as("no download queued again for the deleted episode").hasSize(4);

        var metrics = api.get("/metrics").text();
        assertThat(metrics).contains("castbus_feed_refreshes_total{outcome=\"changed\"}",
            "castbus_downloads_completed_total 4.0",
            "castbus_download_bytes_total " + (4.0 * WalkingPodcast.EPISODE_BYTES),
            "castbus_cleanup_bytes_freed_total " + (double) WalkingPodcast.EPISODE_BYTES);

        var export = api.get("/api/podcasts/export");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.header("content-type")).startsWith("text/x-opml");
        assertThat(export.text()).contains("xmlUrl=\"" + feedUrl + "\"");
        var imported = api.call("POST", "/api/podcasts/import", export.text().replace(feedUrl, feedUrl + "?copy"),
            Map.of("Content-Type", "text/xml"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        assertThat(imported.json().getInteger("imported")).isEqualTo(1);
        assertThat(api.call("POST", "/api/podcasts/import", "<opml><body>", Map.of("Content-Type", "application/xml"))
            .json().getString("error")).isEqualTo("invalid_opml");

        assertThat(api.call("DELETE", "/api/podcasts/" + id, null).json().getBoolean("deleted")).isTrue();
        assertThat(api.get("/api/podcasts/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/podcasts/abc").status()).isEqualTo(400);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
