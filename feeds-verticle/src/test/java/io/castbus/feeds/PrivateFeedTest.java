package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.castbus.common.Addresses;
import io.castbus.common.RunTypes;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A private feed behind HTTP Basic on a loopback server: credentials from the URL or from {@code auth}, sent to the
 * feed's origin only (a redirect to another origin gets none), stored sealed, and the password in no answer, event,
 * export or log line.
 */
@DisplayName("Private feeds: Basic auth to the feed's origin only, the password sealed and never shown")
class PrivateFeedTest {

  static final String PASSWORD = "s3cret-Pa55-word";

  @TempDir
  static Path data;
  static FeedsFixture fx;
  static Vertx other;
  static HttpServer elsewhere;
  static final List<String> elsewhereAuth = new CopyOnWriteArrayList<>();
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    fx = new FeedsFixture("feeds_private", Map.of("DOWNLOAD_DIR", data.resolve("downloads").toString(),
        "DATA_DIR", data.toString()));
    var expected = "Basic " + Base64.getEncoder().encodeToString(("ann:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    var feed = Rss.feed("Members Only", fx.server.url("/members"), 1, 2);
    other = Vertx.vertx();
    elsewhere = Waits.await(other.createHttpServer().requestHandler(req -> {
      elsewhereAuth.add(String.valueOf(req.getHeader("Authorization")));
      req.response().putHeader("Content-Type", "application/rss+xml").end(feed);
    }).listen(0, "127.0.0.1"));
    fx.server.route("/private.xml", req -> {
      if (expected.equals(req.getHeader("Authorization"))) {
        req.response().putHeader("Content-Type", "application/rss+xml").end(feed);
      } else {
        req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"members\"").end();
      }
    });
    fx.server.route("/moved.xml", req -> req.response().setStatusCode(302)
        .putHeader("Location", "http://127.0.0.1:" + elsewhere.actualPort() + "/moved.xml").end());
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
    Waits.await(other.close());
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private static JsonObject as(String owner) {
    return fx.caller(owner, false);
  }

  @Test
  @DisplayName("credentials in the URL are moved out of it, sent as Basic, stored sealed, shown only as password_set")
  void credentialsFromTheUrl() {
    var url = fx.server.url("/private.xml").replace("http://", "http://ann:" + PASSWORD + "@");

    var added = fx.call(Addresses.PODCASTS_ADD, as("ann").put("rss_url", url).put("auto_download", false));

    assertThat(added.getString("rss_url")).isEqualTo(fx.server.url("/private.xml"));
    assertThat(added.getJsonObject("auth").encode()).isEqualTo("{\"username\":\"ann\",\"password_set\":true}");
    var stored = fx.rows("select auth_password from subscriptions where id = $1", added.getLong("id")).get(0)
        .getBuffer(0).getBytes();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD);
    var refresh = fx.run(RunTypes.refresh(added.getLong("id")));
    assertThat(refresh.getString("status")).as(refresh.encode()).isEqualTo("completed");

    var everything = fx.call(Addresses.PODCASTS_LIST, as("ann")).encode()
        + fx.call(Addresses.PODCASTS_GET, as("ann").put("id", added.getLong("id"))).encode()
        + fx.call(Addresses.PODCASTS_EXPORT, as("ann")).encode()
        + refresh.encode()
        + fx.rows("select coalesce(string_agg(message || coalesce(metadata::text, ''), ' '), '') from run_events")
            .get(0).getString(0)
        + String.join("\n", logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    assertThat(everything).doesNotContain(PASSWORD).doesNotContain("ann:");
  }

  @Test
  @DisplayName("wrong or missing credentials: 400 saying so, also for a private feed another user follows; over 1 KB: 400 naming the field")
  void refusedCredentials() {
    fx.call(Addresses.PODCASTS_ADD, as("dot").put("rss_url", fx.server.url("/private.xml")).put("auto_download", false)
        .put("auth", new JsonObject().put("username", "ann").put("password", PASSWORD)));
    var wrong = fx.fails(Addresses.PODCASTS_ADD, as("bea").put("rss_url", fx.server.url("/private.xml"))
        .put("auth", new JsonObject().put("username", "ann").put("password", "nope")));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.getMessage()).contains("refused the credentials (HTTP 401)").doesNotContain("nope");
    var none = fx.fails(Addresses.PODCASTS_ADD, as("bea").put("rss_url", fx.server.url("/private.xml")));
    assertThat(none.getMessage()).contains("asks for credentials (HTTP 401): give them in auth");
    var huge = fx.fails(Addresses.PODCASTS_ADD, as("bea").put("rss_url", fx.server.url("/private.xml"))
        .put("auth", new JsonObject().put("username", "ann").put("password", "x".repeat(1025))));
    assertThat(huge.getMessage()).isEqualTo("auth.password must be at most 1024 bytes");
    assertThat(fx.call(Addresses.PODCASTS_LIST, as("bea")).getJsonArray("podcasts")).isEmpty();
  }

  @Test
  @DisplayName("a redirect to another origin never receives the credentials")
  void noCredentialsAfterARedirectElsewhere() {
    var added = fx.call(Addresses.PODCASTS_ADD, as("cal").put("rss_url", fx.server.url("/moved.xml"))
        .put("auth", new JsonObject().put("username", "ann").put("password", PASSWORD)).put("auto_download", false));
    assertThat(added.getString("title")).isEqualTo("Members Only");
    assertThat(elsewhereAuth).isNotEmpty().allMatch(h -> h.equals("null"));
    var removed = fx.call(Addresses.PODCASTS_UPDATE, as("cal").put("id", added.getLong("id")).putNull("auth"));
    assertThat(removed.getValue("auth")).isNull();
  }
}
