package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.ConfigException;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Audio;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Good news by webhook through the real gateway, feeds, downloads and scheduler modules: a user's webhook on
 * loopback receives episode_new, episode_downloaded and run_failed with the documented body.
 */
@DisplayName("Good news by webhook: episode_new, episode_downloaded and run_failed, as deliveries that are runs")
class NotificationsTest {

  @TempDir
  static Path temp;
  static GatewayFixture fx;
  static Vertx sources;
  static HttpServer origin;
  static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  static final AtomicInteger items = new AtomicInteger(1);
  static ApiClient admin;
  static ApiClient user;

  @BeforeAll
  static void start() throws Exception {
    sources = Vertx.vertx();
    var mp3 = Audio.mp3();
    origin = Waits.await(sources.createHttpServer().requestHandler(req -> {
      var base = "http://127.0.0.1:" + req.localAddress().port();
      if (req.path().equals("/hook")) {
        req.body().onSuccess(body -> {
          received.add(body.toJsonObject());
          req.response().setStatusCode(204).end();
        });
      } else if (req.path().equals("/news.xml")) {
        var feed = new StringBuilder("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News Radio</title>");
        for (var n = items.get(); n >= 1; n--) {
          feed.append("<item><guid>news-").append(n).append("</guid><title>News ").append(n).append("</title><pubDate>")
              .append(String.format("Mon, %02d Nov 2026 08:00:00 GMT", n)).append("</pubDate><enclosure url=\"")
              .append(base).append("/news-").append(n).append(".mp3\" type=\"audio/mpeg\"/></item>");
        }
        feed.append("<item><guid>gone</guid><title>Gone</title><pubDate>Mon, 01 Jan 2024 08:00:00 GMT</pubDate>")
            .append("<enclosure url=\"").append(base).append("/missing.mp3\" type=\"audio/mpeg\"/></item>");
        req.response().putHeader("Content-Type", "application/rss+xml").end(feed.append("</channel></rss>").toString());
      } else if (req.path().startsWith("/news-")) {
        req.response().putHeader("Content-Type", "audio/mpeg").end(Buffer.buffer(mp3));
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    fx = GatewayFixture.withPodcasts("notifications", temp);
    admin = fx.api();
    user = admin.withKey(admin.post("/api/admin/users", "{\"name\": \"nell\", \"role\": \"user\"}").json()
        .getString("api_key"));
  }

  @AfterAll
  static void stop() {
    fx.close();
    Waits.await(sources.close());
  }

  private static JsonObject event(String name, String title) {
    return Waits.untilValue(Duration.ofSeconds(60), name + " of " + title + " delivered",
        () -> received.stream().filter(e -> name.equals(e.getString("event"))
            && (title == null || title.equals(e.getJsonObject("episode", new JsonObject()).getString("title"))))
            .findFirst().orElse(null), java.util.Objects::nonNull);
  }

  @Test
  @DisplayName("a user's webhook gets episode_downloaded, episode_new and run_failed with the documented body; bad URLs and events are refused")
  void goodNews() {
    var hook = "http://127.0.0.1:" + origin.actualPort() + "/hook";
    for (var bad : List.of(new JsonObject().put("webhook_url", "ftp://127.0.0.1/hook").put("events", List.of("episode_new")),
        new JsonObject().put("webhook_url", "http://169.254.169.254/hook").put("events", List.of("episode_new")),
        new JsonObject().put("webhook_url", hook).put("events", List.of("everything")),
        new JsonObject().put("webhook_url", hook).put("events", List.of()))) {
      var answer = user.call("PUT", "/api/me/notifications", bad.encode());
      assertThat(answer.status()).as(bad.encode()).isEqualTo(400);
    }
    var set = user.call("PUT", "/api/me/notifications", new JsonObject().put("webhook_url", hook)
        .put("events", List.of("episode_new", "episode_downloaded", "run_failed")).encode());
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    assertThat(user.get("/api/me/notifications").json().getJsonArray("events").getList())
        .containsExactly("episode_downloaded", "episode_new", "run_failed");

    var added = user.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + origin.actualPort() + "/news.xml").encode());
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    var id = added.json().getLong("id");

    var downloaded = event("episode_downloaded", "News 1");
    assertThat(downloaded.getJsonObject("podcast").getLong("id")).isEqualTo(id);
    assertThat(downloaded.getJsonObject("podcast").getString("title")).isEqualTo("News Radio");
    assertThat(downloaded.getJsonObject("episode").getString("guid")).isEqualTo("news-1");
    assertThat(downloaded.getJsonObject("file").getString("path")).endsWith("News 1.mp3");
    assertThat(downloaded.getJsonObject("file").getLong("bytes")).isPositive();
    assertThat(downloaded.getString("time")).isNotBlank();

    var failed = Waits.untilValue(Duration.ofSeconds(60), "run_failed delivered", () -> received.stream()
        .filter(e -> "run_failed".equals(e.getString("event"))).findFirst().orElse(null), java.util.Objects::nonNull);
    assertThat(failed.getJsonObject("run").getString("type")).isEqualTo("download_episode");
    assertThat(failed.getJsonObject("run").getString("error")).contains("404");

    items.set(2);
    assertThat(user.post("/api/podcasts/" + id + "/refresh", null).status()).isEqualTo(202);
    var news = event("episode_new", "News 2");
    assertThat(news.getJsonObject("episode").getString("enclosure_url")).endsWith("/news-2.mp3");
    assertThat(received.stream().filter(e -> "episode_new".equals(e.getString("event"))).count())
        .as("a podcast's first read is no news").isEqualTo(1);

    var runs = admin.get("/api/runs?type=deliver_webhook&limit=50").json().getJsonArray("runs");
    assertThat(runs.stream().map(r -> ((JsonObject) r).getString("owner"))).contains("nell");
    var stopped = user.call("PUT", "/api/me/notifications", "{\"webhook_url\": null}");
    assertThat(stopped.json().getValue("webhook_url")).isNull();
  }

  @Test
  @DisplayName("WEBHOOK_EVENTS names what WEBHOOK_URL gets besides alerts, and refuses anything else")
  void adminEvents() {
    var settings = Settings.load(Map.of("WEBHOOK_URL", "http://hooks.home/castbus",
        "WEBHOOK_EVENTS", "episode_new, episode_downloaded"), Settings.AuthMode.REQUIRED);
    assertThat(settings.webhookEvents()).containsExactlyInAnyOrder("episode_new", "episode_downloaded");
    Assertions.assertThatThrownBy(() -> Settings.load(Map.of("WEBHOOK_EVENTS", "run_failed"),
        Settings.AuthMode.REQUIRED)).isInstanceOf(ConfigException.class).hasMessageStartingWith("WEBHOOK_EVENTS lists");
  }
}
