package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Audio;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /api/podcasts/{id}/download-all through the real gateway, feeds and downloads modules, against a loopback
 * feed: the back catalogue as one parent run with a child per episode, its limit and filters, and its cancel.
 */
@DisplayName("The back catalogue: one parent run, a child download per episode, cancelled together")
class BackCatalogueTest {

  @TempDir
  static Path temp;
  static GatewayFixture fx;
  static Vertx sources;
  static HttpServer origin;
  static ApiClient admin;

  @BeforeAll
  static void start() throws Exception {
    sources = Vertx.vertx();
    var mp3 = Audio.mp3();
    origin = Waits.await(sources.createHttpServer().requestHandler(req -> {
      var base = "http://127.0.0.1:" + req.localAddress().port();
      if (req.path().endsWith(".xml")) {
        var name = req.path().substring(1, req.path().length() - 4);
        var items = new StringBuilder();
        for (var n = 5; n >= 1; n--) {
          items.append("<item><guid>").append(name).append('-').append(n).append("</guid><title>")
              .append(n == 4 ? "Skip me" : "Part " + n).append("</title><pubDate>")
              .append(String.format("Mon, %02d Nov 2026 08:00:00 GMT", n + 1)).append("</pubDate><enclosure url=\"")
              .append(base).append('/').append(name).append('/').append(n).append(".mp3\" type=\"audio/mpeg\"/></item>");
        }
        req.response().putHeader("Content-Type", "application/rss+xml")
            .end("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + name + "</title>" + items
                + "</channel></rss>");
      } else if (req.path().startsWith("/stall/")) {
        // Headers, a first slice, then nothing: the download stays running until it is cancelled.
        req.response().putHeader("Content-Type", "audio/mpeg").putHeader("Content-Length", "10000000")
            .write(Buffer.buffer(new byte[1000]));
      } else {
        req.response().putHeader("Content-Type", "audio/mpeg").end(Buffer.buffer(mp3));
      }
    }).listen(0, "127.0.0.1"));
    fx = GatewayFixture.withPodcasts("back_catalogue", temp);
    admin = fx.api();
  }

  @AfterAll
  static void stop() {
    fx.close();
    Waits.await(sources.close());
  }

  private static long subscribe(String name, JsonObject extra) {
    var added = admin.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + origin.actualPort() + "/" + name + ".xml").put("auto_download", false)
        .mergeIn(extra).encode());
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    return added.json().getLong("id");
  }

  @Test
  @DisplayName("the newest n episodes the filters let in are downloaded as children of one download_all run, which ends when they have")
  void downloadsTheBackCatalogue() {
    var id = subscribe("archive", new JsonObject().put("filters", new JsonObject().put("title_exclude", "^skip")));

    var queued = admin.post("/api/podcasts/" + id + "/download-all", "{\"limit\": 3}");

    assertThat(queued.status()).as(queued.toString()).isEqualTo(202);
    assertThat(queued.json().getInteger("queued")).isEqualTo(3);
    var parent = admin.awaitRun(queued.json().getString("run_id"), "completed", Duration.ofSeconds(60));
    assertThat(parent.getString("type")).isEqualTo("download_all");
    assertThat(parent.getJsonObject("result").getInteger("completed")).isEqualTo(3);
    var episodes = admin.get("/api/podcasts/" + id + "/episodes").json().getJsonArray("episodes");
    var downloaded = episodes.stream().map(e -> (JsonObject) e)
        .filter(e -> "completed".equals(e.getString("download_status"))).map(e -> e.getString("guid")).toList();
    assertThat(downloaded).containsExactlyInAnyOrder("archive-5", "archive-3", "archive-2");
    var children = admin.get("/api/runs?type=download_episode&limit=100").json().getJsonArray("runs").stream()
        .map(r -> (JsonObject) r).filter(r -> parent.getString("id").equals(r.getString("parent_id"))).count();
    assertThat(children).isEqualTo(3);

    var all = admin.post("/api/podcasts/" + id + "/download-all", "{\"ignore_filters\": true}");
    assertThat(all.json().getInteger("queued")).as("the rest, the filtered one included").isEqualTo(2);
    admin.awaitRun(all.json().getString("run_id"), "completed", Duration.ofSeconds(60));
  }

  @Test
  @DisplayName("cancelling the parent cancels its children, running and queued")
  void cancelCancelsChildren() {
    var id = subscribe("stall", new JsonObject());
    var queued = admin.post("/api/podcasts/" + id + "/download-all", "{}");
    assertThat(queued.json().getInteger("queued")).isEqualTo(5);
    var parentId = queued.json().getString("run_id");
    admin.awaitRun(parentId, "running", Duration.ofSeconds(30));
    Waits.until(Duration.ofSeconds(30), "a child download running", () -> children(parentId).stream()
        .anyMatch(r -> "running".equals(r.getString("status"))));

    var cancel = admin.post("/api/runs/" + parentId + "/cancel", "{}");
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);

    admin.awaitRun(parentId, "cancelled", Duration.ofSeconds(30));
    Waits.until(Duration.ofSeconds(30), "every child cancelled", () -> children(parentId).stream()
        .allMatch(r -> "cancelled".equals(r.getString("status"))));
    assertThat(children(parentId)).hasSize(5);
  }

  private static java.util.List<JsonObject> children(String parentId) {
    return admin.get("/api/runs?type=download_episode&limit=200").json().getJsonArray("runs").stream()
        .map(r -> (JsonObject) r).filter(r -> parentId.equals(r.getString("parent_id"))).toList();
  }
}
