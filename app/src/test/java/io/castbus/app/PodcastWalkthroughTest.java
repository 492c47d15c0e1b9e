package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Seed 000's podcast walk-through against the all-in-one app and a loopback feed")
class PodcastWalkthroughTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path data;

  /** A feed of episodes 1..n, newest first, episode k published k days after a fixed date. */
  private static String feed(String base, int n) {
    var items = new StringBuilder();
    for (var k = n; k >= 1; k--) {
      var date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.parse("2026-01-01T08:00:00Z")
          .plus(k, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
      items.append("<item><guid>walk-").append(k).append("</guid><title>Walk ").append(k).append("</title><pubDate>")
          .append(date).append("</pubDate><enclosure url=\"").append(base).append("/walk-").append(k)
          .append(".mp3\" length=\"1000\" type=\"audio/mpeg\"/></item>\n");
    }
    return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Walking Podcast</title>\n" + items
        + "</channel></rss>";
  }

  @Test
  @DisplayName("add with auto_download → episodes newest first and the 3 most recent queued; refresh → exactly the new one")
  void walkthrough() throws Exception {
    var vertx = Vertx.vertx();
    var episodes = new AtomicInteger(5);
    HttpServer feeds = vertx.createHttpServer().requestHandler(req -> req.response()
            .putHeader("Content-Type", "application/rss+xml")
            .end(feed("http://127.0.0.1:" + req.localAddress().port() + "/media", episodes.get())))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    var feedUrl = "http://127.0.0.1:" + feeds.actualPort() + "/walk.xml";
    try (var db = TestDatabase.create("app_walkthrough")) {
      var port = ChildProcess.freePort();
      var env = Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
          "DOWNLOAD_DIR", data.resolve("downloads").toString(), "DATABASE_URL", db.url(),
          "ALLOW_PRIVATE_NETWORKS", "true");
      try (var app = CastbusApp.start(Settings.load(env, Settings.AuthMode.LOCAL_OPEN))) {
        var api = new ApiClient("http://127.0.0.1:" + port, null);
        var jobs = api.get("/api/jobs").json().getJsonArray("jobs");
        assertThat(jobs.stream().map(j -> ((JsonObject) j).getString("id"))).contains("refresh_podcasts");

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

        var page = api.get("/api/podcasts/" + id + "/episodes?limit=10").json();
        assertThat(page.getLong("total")).isEqualTo(5L);
        assertThat(page.getJsonArray("episodes").stream().map(e -> ((JsonObject) e).getString("title")))
            .containsExactly("Walk 5", "Walk 4", "Walk 3", "Walk 2", "Walk 1");
        assertThat(page.getJsonArray("episodes").stream().map(e -> ((JsonObject) e).getString("download_status")))
            .containsExactly("pending", "pending", "pending", "none", "none");
        var downloads = api.get("/api/runs?type=download_episode&limit=50").json().getJsonArray("runs");
        assertThat(downloads).hasSize(3);
        assertThat(downloads.stream().map(r -> ((JsonObject) r).getString("status"))).containsOnly("queued");

        episodes.set(6);
        var refresh = api.post("/api/podcasts/" + id + "/refresh", null);
        assertThat(refresh.status()).as(refresh.toString()).isEqualTo(202);
        var run = api.awaitRun(refresh.json().getString("run_id"), "completed", WAIT);
        assertThat(run.getJsonObject("result").getInteger("added")).isEqualTo(1);
        var after = api.get("/api/podcasts/" + id + "/episodes?limit=2").json();
        assertThat(after.getLong("total")).isEqualTo(6L);
        var newest = after.getJsonArray("episodes").getJsonObject(0);
        assertThat(newest.getString("title")).isEqualTo("Walk 6");
        assertThat(newest.getString("download_status")).isEqualTo("pending");
        assertThat(api.get("/api/runs?type=download_episode&limit=50").json().getJsonArray("runs")).hasSize(4);

        var kept = api.call("PUT", "/api/episodes/" + newest.getLong("id"), "{\"keep\": true}");
        assertThat(kept.json().getBoolean("keep")).isTrue();
        var updated = api.call("PUT", "/api/podcasts/" + id, "{\"max_episodes_to_keep\": 4}");
        assertThat(updated.json().getInteger("max_episodes_to_keep")).isEqualTo(4);
        assertThat(api.get("/api/podcasts").json().getJsonArray("podcasts")).hasSize(1);

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
        Waits.until(WAIT, "the imported podcast refreshed", () -> api.get("/api/podcasts").json()
            .getJsonArray("podcasts").stream().allMatch(p -> ((JsonObject) p).getLong("episode_count") == 6));

        assertThat(api.call("DELETE", "/api/podcasts/" + id, null).json().getBoolean("deleted")).isTrue();
        assertThat(api.get("/api/podcasts/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/podcasts/abc").status()).isEqualTo(400);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
