package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A failing feed in the all-in-one app, run as its own JVM: one alert mail with the cause, and JSON log "
    + "lines naming the run, the job and the podcast")
class FeedFailureAlertTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TITLE = "The Failing Show";

  @TempDir
  Path data;

  private final Vertx vertx = Vertx.vertx();
  private final GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
  private final AtomicBoolean failing = new AtomicBoolean();

  @AfterEach
  void close() {
    smtp.stop();
    Waits.await(vertx.close());
  }

  @Test
  @DisplayName("a feed answering HTTP 500 until its retries run out sends one mail naming the podcast, the feed and "
      + "the cause; a second failing refresh within the hour sends none; LOG_FORMAT=json lines carry run_id, job "
      + "and podcast")
  void oneMailWithTheCause() throws Exception {
    smtp.start();
    var server = Waits.await(vertx.createHttpServer().requestHandler(req -> {
      if (failing.get()) {
        req.response().setStatusCode(500).end("the database behind this feed is down");
      } else {
        req.response().putHeader("Content-Type", "application/rss+xml").end("<?xml version=\"1.0\"?><rss version="
            + "\"2.0\"><channel><title>" + TITLE + "</title><item><guid>a-1</guid><title>One</title><pubDate>Mon, 23 "
            + "Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>");
      }
    }).listen(0, "127.0.0.1"));
    var feedUrl = "http://127.0.0.1:" + server.actualPort() + "/show.xml";

    try (var db = TestDatabase.create("app_feed_alert")) {
      var env = new HashMap<String, String>();
      env.put("DATA_DIR", data.toString());
      env.put("DOWNLOAD_DIR", data.resolve("downloads").toString());
      env.put("DOWNLOAD_MIN_FREE_MB", "1");
      env.put("DATABASE_URL", db.url());
      env.put("ALLOW_PRIVATE_NETWORKS", "true");
      env.put("SMTP_HOST", "127.0.0.1");
      env.put("SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
      env.put("SMTP_FROM", "castbus@castbus.test");
      env.put("ALERT_EMAIL_TO", "ops@castbus.test");
      env.put("LOG_FORMAT", "json");
      try (var app = ChildProcess.startMain("castbus-app", AppMain.class.getName(), env, data.resolve("logs"))) {
        app.awaitReady(Duration.ofSeconds(120));
        var api = new ApiClient(app.baseUrl(), null);
        var added = api.post("/api/podcasts", new JsonObject().put("rss_url", feedUrl).put("auto_download", false)
            .encode());
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        var podcast = added.json().getLong("id");

        failing.set(true);
        var trigger = api.post("/api/jobs/refresh_podcasts/trigger", "");
        assertThat(trigger.status()).as(trigger.toString()).isEqualTo(202);
        var fannedOut = trigger.json().getString("run_id");
        Waits.until(WAIT, "the refresh_feed run the job fanned out", () -> child(api, fannedOut) != null);
        var first = failed(api, child(api, fannedOut));
        assertThat(first.getInteger("attempts")).isEqualTo(4);
        assertThat(first.getJsonObject("error").getString("message")).contains("HTTP 500");

        Waits.until(WAIT, "the alert mail", () -> smtp.getReceivedMessages().length >= 1);
        var mail = smtp.getReceivedMessages()[0];
        var body = GreenMailUtil.getBody(mail).replace("=\r\n", "").replace("=3D", "=");
        assertThat(mail.getSubject()).contains("refresh_feed failed", TITLE, "HTTP 500");
        assertThat(body).contains(TITLE, feedUrl, "HTTP 500", "after 4 attempt(s)", first.getString("id"));

        var firstSent = alert(api).getString("last_sent_at");
        var again = api.post("/api/podcasts/" + podcast + "/refresh", "");
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        var second = failed(api, again.json().getString("run_id"));
        assertThat(second.getString("id")).isNotEqualTo(first.getString("id"));
        Waits.until(WAIT, "the second failure recorded on the alert", () -> alert(api).getInteger("count") >= 2);
        // The count and the decision to send again are one statement: a send not recorded is a send not made.
        assertThat(alert(api).getString("last_sent_at")).as("not sent again within the resend window")
            .isEqualTo(firstSent);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(alert(api).getJsonObject("delivery").getString("mail")).isEqualTo("sent");

        var lines = jsonLines(app.lines(), first.getString("id"));
        assertThat(lines).as(app.tail()).isNotEmpty();
        assertThat(lines).allSatisfy(line -> {
          assertThat(line.getString("level")).isIn("INFO", "WARN");
          assertThat(line.getString("run_id")).isEqualTo(first.getString("id"));
          assertThat(line.getString("type")).isEqualTo("refresh_feed");
          assertThat(line.getString("job")).isEqualTo("refresh_podcasts");
          assertThat(line.getString("podcast")).isEqualTo(String.valueOf(podcast));
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.getString("formattedMessage")).contains("failed after attempt 4",
            "HTTP 500"));
      }
    } finally {
      Waits.await(server.close());
    }
  }

  /** The id of the {@code refresh_feed} run {@code parent} queued, or null while there is none. */
  private static String child(ApiClient api, String parent) {
    return api.get("/api/runs?type=refresh_feed&limit=50").json().getJsonArray("runs").stream()
        .map(JsonObject.class::cast).filter(run -> parent.equals(run.getString("parent_id")))
        .map(run -> run.getString("id")).findFirst().orElse(null);
  }

  /** Waits for the run to fail for good; returns it. */
  private static JsonObject failed(ApiClient api, String run) {
    Waits.until(WAIT, "run " + run + " failed", () -> "failed".equals(api.get("/api/runs/" + run).json()
        .getString("status")));
    return api.get("/api/runs/" + run).json();
  }

  private static JsonObject alert(ApiClient api) {
    return api.get("/api/alerts").json().getJsonArray("alerts").stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("run_failed")).findFirst().orElse(new JsonObject().put("count", 0));
  }

  /** The JSON log lines about one run, their key-value pairs lifted to the top level. */
  private static List<JsonObject> jsonLines(List<String> lines, String runId) {
    return lines.stream().filter(line -> line.startsWith("{")).map(line -> {
      try {
        return new JsonObject(line);
      } catch (DecodeException e) {
        return new JsonObject();
      }
    }).map(FeedFailureAlertTest::flatten).filter(line -> runId.equals(line.getString("run_id"))).toList();
  }

  private static JsonObject flatten(JsonObject line) {
    var flat = line.copy();
    var pairs = line.getJsonArray("kvpList");
    if (pairs != null) {
      pairs.stream().map(JsonObject.class::cast).forEach(pair -> pair.forEach(e -> flat.put(e.getKey(),
          String.valueOf(e.getValue()))));
    }
    return flat;
  }
}
