package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.castbus.app.ContractOperations.Operation;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who gets in where, through HTTP against the all-in-one app with {@code AUTH_MODE=required}: every API route
 * without a key, one user poking at another's things, path traversal through every path parameter and the static
 * files, and secrets in every answer and every log line.
 */
@DisplayName("Nobody gets in where they don't belong: keys, ownership, traversal, secrets")
class AccessControlTest {

  private static final String ADMIN_KEY = "cb_access_admin_key_Zq9vT4mX2pL7wR1sK8dF3hJ6";
  private static final String DB_PASSWORD = "Db-Pa55word-9f8e7d";
  private static final String SMTP_PASSWORD = "Smtp-Pa55word-1a2b3c";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path data;
  static TestDatabase db;
  static CastbusApp app;
  static ApiClient admin;
  static ApiClient anonymous;
  static int port;
  static Vertx media;
  static HttpServer feeds;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    db = TestDatabase.create("app_access");
    port = ChildProcess.freePort();
    // The test server trusts loopback connections, so the password is sent and ignored: it is only there to leak.
    var url = db.url().replaceFirst("^postgresql://([^@/]+)@", "postgresql://$1:" + DB_PASSWORD + "@");
    var env = new HashMap<String, String>();
    env.put("HTTP_PORT", String.valueOf(port));
    env.put("DATA_DIR", data.toString());
    env.put("DOWNLOAD_DIR", data.resolve("library").toString());
    env.put("DATABASE_URL", url);
    env.put("AUTH_MODE", "required");
    env.put("ADMIN_API_KEY", ADMIN_KEY);
    env.put("ALLOW_PRIVATE_NETWORKS", "true");
    env.put("DOWNLOAD_MIN_FREE_MB", "1");
    // Alert mail to a port where nothing listens: delivery fails and is logged.
    env.put("SMTP_HOST", "127.0.0.1");
    env.put("SMTP_PORT", String.valueOf(ChildProcess.freePort()));
    env.put("SMTP_USER", "castbus");
    env.put("SMTP_PASSWORD", SMTP_PASSWORD);
    env.put("ALERT_EMAIL_TO", "ops@example.org");
    app = CastbusApp.start(Settings.load(env, Settings.AuthMode.REQUIRED));
    admin = new ApiClient("http://127.0.0.1:" + port, ADMIN_KEY);
    anonymous = admin.withKey(null);
    media = Vertx.vertx();
    feeds = media.createHttpServer().requestHandler(req -> {
      if (req.path().endsWith(".mp3")) {
        req.response().putHeader("Content-Type", "audio/mpeg").end(Buffer.buffer(new byte[4096]));
      } else {
        var base = "http://127.0.0.1:" + req.localAddress().port();
        var show = req.path().substring(1, req.path().indexOf('.'));
        req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0"><channel><title>../../../%1$s/../..</title>
            <item><guid>%1$s-1</guid><title>../../../../etc/passwd</title>
              <pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%2$s/%1$s-1.mp3" length="4096" type="audio/mpeg"/></item>
            </channel></rss>""".formatted(show, base));
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (app != null) {
      app.close();
    }
    if (media != null) {
      media.close().await(10, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  private static String fill(String template, String value) {
    return template.replaceAll("\\{[^}]+}", value);
  }

  private static void assertErrorJson(ApiClient.Response response, String what) {
    var json = response.json();
    assertThat(json.getString("error")).as(what).isNotBlank();
    assertThat(json.getString("message")).as(what).isNotBlank();
  }

  @Test
  @DisplayName("every /api operation of the contract answers 401 without a key, a wrong key or a stale cookie")
  void everyRouteNeedsAKey() throws Exception {
    var operations = ContractOperations.all();
    assertThat(operations.stream().filter(Operation::open).filter(op -> op.path().startsWith("/api/"))
        .map(Operation::id)).as("the only /api operations open to all").containsExactlyInAnyOrder("getOpenApi",
        "createSession");
    var checked = 0;
    for (var op : operations) {
      if (op.open()) {
        continue;
      }
      assertThat(op.path()).startsWith("/api/");
      var path = fill(op.path(), "1");
      var body = "{}";
      for (var client : List.of(anonymous, admin.withKey("cb_not_a_key_at_all"))) {
        var response = client.call(op.method(), path, body);
        assertThat(response.status()).as("%s %s", op.method(), path).isEqualTo(401);
        assertErrorJson(response, op.id());
      }
      var stale = anonymous.call(op.method(), path, body, Map.of("Cookie", "castbus_session=not-a-session"));
      assertThat(stale.status()).as("%s %s with a stale cookie", op.method(), path).isEqualTo(401);
      checked++;
    }
    assertThat(checked).isGreaterThan(30);
    for (var open : List.of("/health/live", "/health/ready", "/metrics", "/api/openapi.yaml")) {
      assertThat(anonymous.get(open).status()).as(open).isEqualTo(200);
    }
  }

  private static JsonObject user(String name) {
    var made = admin.post("/api/admin/users", new JsonObject().put("name", name).put("role", "user").encode());
    assertThat(made.status()).as(made.toString()).isEqualTo(201);
    return made.json();
  }

  @Test
  @DisplayName("a user cannot read, change, refresh, download, list or delete another user's podcasts, episodes, runs")
  void usersSeeOnlyTheirOwn() {
    var alice = admin.withKey(user("alice").getString("api_key"));
    var bob = admin.withKey(user("bob").getString("api_key"));
    var added = alice.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + feeds.actualPort() + "/alice.xml").put("auto_download", true)
        .put("max_episodes_to_keep", 1).encode());
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    var podcast = added.json().getLong("id");
    var episode = alice.get("/api/podcasts/" + podcast + "/episodes").json().getJsonArray("episodes")
        .getJsonObject(0).getLong("id");
    var runs = alice.get("/api/runs").json().getJsonArray("runs");
    assertThat(runs).as("alice sees the download her podcast queued").isNotEmpty();
    var run = runs.getJsonObject(0).getString("id");
    assertThat(alice.get("/api/runs/" + run).status()).isEqualTo(200);

    var notFound = List.of(
        bob.get("/api/podcasts/" + podcast),
        bob.call("PUT", "/api/podcasts/" + podcast, "{\"max_episodes_to_keep\": 9}"),
        bob.call("DELETE", "/api/podcasts/" + podcast, null),
        bob.get("/api/podcasts/" + podcast + "/episodes"),
        bob.post("/api/podcasts/" + podcast + "/refresh", null),
        bob.call("PUT", "/api/episodes/" + episode, "{\"keep\": true}"),
        bob.post("/api/episodes/" + episode + "/download", null),
        bob.get("/api/runs/" + run),
        bob.get("/api/runs/" + run + "/events"));
    for (var response : notFound) {
      assertThat(response.status()).as(response.toString()).isEqualTo(404);
      assertErrorJson(response, "404");
    }
    assertThat(bob.post("/api/runs/" + run + "/cancel", null).status()).as("cancel is for admins").isEqualTo(403);
    assertThat(bob.call("DELETE", "/api/runs/" + run, null).status()).as("delete is for admins").isEqualTo(403);
    assertThat(bob.get("/api/podcasts").json().getJsonArray("podcasts")).isEmpty();
    assertThat(bob.get("/api/runs").json().getJsonArray("runs")).isEmpty();
    assertThat(bob.get("/api/downloads").json().getInteger("total")).isZero();
    assertThat(bob.get("/api/podcasts/export").text()).doesNotContain("alice.xml");
    assertThat(bob.get("/api/admin/users/1/runs").status()).isEqualTo(403);
    assertThat(bob.get("/api/alerts").status()).as("alerts quote everyone's runs").isEqualTo(403);

    assertThat(alice.get("/api/podcasts/" + podcast).json().getInteger("max_episodes_to_keep")).isEqualTo(1);
    assertThat(admin.get("/api/runs/" + run).status()).as("admins see every run").isEqualTo(200);
    assertThat(admin.get("/api/podcasts/" + podcast).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("things are owned by user id: a user created under a deleted user's name sees nothing of theirs; "
      + "deleting gives what they owned to the deleting admin, or deletes it with owned=delete")
  void ownershipByUserId() {
    var first = user("mallory");
    var mallory = admin.withKey(first.getString("api_key"));
    var podcast = mallory.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + feeds.actualPort() + "/mallory.xml").put("auto_download", false)
        .encode()).json().getLong("id");
    var run = mallory.post("/api/podcasts/" + podcast + "/refresh", null).json().getString("run_id");
    mallory.awaitRun(run, "completed", WAIT);

    var deleted = admin.call("DELETE", "/api/admin/users/" + first.getLong("id"), null);
    assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
    assertThat(deleted.json().getString("owned")).isEqualTo("reassign");
    assertThat(deleted.json().getInteger("podcasts")).isEqualTo(1);
    assertThat(deleted.json().getInteger("runs")).isGreaterThanOrEqualTo(1);

    var again = admin.withKey(user("mallory").getString("api_key"));
    assertThat(again.get("/api/podcasts").json().getJsonArray("podcasts")).isEmpty();
    assertThat(again.get("/api/runs").json().getJsonArray("runs")).isEmpty();
    assertThat(again.get("/api/podcasts/" + podcast).status()).isEqualTo(404);
    assertThat(again.get("/api/runs/" + run).status()).isEqualTo(404);
    assertThat(admin.get("/api/podcasts/" + podcast).json().getString("owner")).isEqualTo("admin");
    assertThat(admin.get("/api/runs/" + run).json().getString("owner")).isEqualTo("admin");

    var trudyUser = user("trudy");
    var trudy = admin.withKey(trudyUser.getString("api_key"));
    var hers = trudy.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + feeds.actualPort() + "/trudy.xml").put("auto_download", false)
        .encode()).json().getLong("id");
    var herRun = trudy.post("/api/podcasts/" + hers + "/refresh", null).json().getString("run_id");
    trudy.awaitRun(herRun, "completed", WAIT);
    var gone = admin.call("DELETE", "/api/admin/users/" + trudyUser.getLong("id") + "?owned=delete", null);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(200);
    assertThat(gone.json().getInteger("podcasts")).isEqualTo(1);
    assertThat(admin.get("/api/podcasts/" + hers).status()).isEqualTo(404);
    assertThat(admin.get("/api/runs/" + herRun).status()).isEqualTo(404);
    assertThat(admin.call("DELETE", "/api/admin/users/" + trudyUser.getLong("id") + "?owned=elsewhere", null)
        .status()).isEqualTo(400);
  }

  @Test
  @DisplayName("a hostile feed's '../' titles never place a download outside DOWNLOAD_DIR")
  void hostileFeedTitles() throws Exception {
    var carol = admin.withKey(user("carol").getString("api_key"));
    var added = carol.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + feeds.actualPort() + "/escape.xml").put("auto_download", true)
        .put("max_episodes_to_keep", 1).encode());
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    var podcast = added.json().getLong("id");
    Waits.until(WAIT, "the episode downloaded", () -> "completed".equals(carol.get("/api/podcasts/" + podcast
        + "/episodes").json().getJsonArray("episodes").getJsonObject(0).getString("download_status")));
    var filePath = carol.get("/api/podcasts/" + podcast + "/episodes").json().getJsonArray("episodes")
        .getJsonObject(0).getString("file_path");
    var library = data.resolve("library").toRealPath();
    var file = library.resolve(filePath).normalize();
    assertThat(file).startsWith(library).exists();
    try (var all = Files.walk(data.getParent(), 3)) {
      assertThat(all.filter(p -> p.getFileName().toString().contains("passwd"))
          .allMatch(p -> p.toAbsolutePath().normalize().startsWith(library))).isTrue();
    }
  }

  /** Sends the request line exactly as given, so no client tidies up the path first. */
  private static String raw(String target) throws IOException {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Api-Key: "
          + ADMIN_KEY + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static final List<String> TRAVERSALS = List.of("../../pom.xml", "..%2F..%2Fpom.xml",
      "%2e%2e/%2e%2e/pom.xml", "%2e%2e%2f%2e%2e%2fpom.xml", "%252e%252e%252fpom.xml", "..%5c..%5cpom.xml",
      "....//....//pom.xml", "%c0%ae%c0%ae/%c0%ae%c0%ae/pom.xml", "..;/..;/pom.xml", "%2Fetc%2Fpasswd", "/etc/passwd",
      "../../../../../../etc/passwd", "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "..%00/etc/passwd",
      "../logback-test.xml", "../io/castbus/gateway/GatewayVerticle.class", "..%2Fopenapi.yaml",
      "../../../gateway/src/main/resources/openapi.yaml");

  /** Markers of files outside the web root: a POM, /etc/passwd, a logback file, a class file, the YAML contract. */
  private static void assertNothingServed(String target, String answer) {
    var status = answer.isEmpty() ? "" : answer.substring(0, answer.indexOf("\r\n"));
    assertThat(answer).as(target).isNotEmpty();
    assertThat(status).as(target).doesNotContain(" 200 ").doesNotContain(" 500 ");
    assertThat(answer).as(target).doesNotContain("<project").doesNotContain("root:x:0:0")
        .doesNotContain("<configuration").doesNotContain("openapi: 3").doesNotContain("\u00ca\u00fe\u00ba\u00be");
  }

  @Test
  @DisplayName("path traversal through /ui/ and every path parameter, raw and encoded, never serves a file")
  void pathTraversal() throws Exception {
    assertThat(raw("/ui/index.html")).startsWith("HTTP/1.1 200");
    for (var attempt : TRAVERSALS) {
      for (var prefix : List.of("/ui/", "/ui/x/", "/", "/api/")) {
        assertNothingServed(prefix + attempt, raw(prefix + attempt));
      }
    }
    var checked = 0;
    for (var op : ContractOperations.all()) {
      if (!op.path().contains("{") || !op.method().equals("GET")) {
        continue;
      }
      for (var attempt : TRAVERSALS) {
        var target = fill(op.path(), java.util.regex.Matcher.quoteReplacement(attempt));
        assertNothingServed(target, raw(target));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(5 * TRAVERSALS.size());
  }

  @Test
  @DisplayName("the admin key, the database password and the SMTP password never appear in answers or logs")
  void secretsNeverLeak() throws Exception {
    // Failing jobs (the backup folder is a file), failing alert mail, a bad key, a key in odd places.
    Files.writeString(data.resolve("backups"), "not a folder");
    var answers = new StringBuilder();
    for (var job : admin.get("/api/jobs").json().getJsonArray("jobs")) {
      var id = ((JsonObject) job).getString("id");
      var triggered = admin.post("/api/jobs/" + id + "/trigger", null);
      answers.append(triggered.text());
      if (triggered.status() == 202) {
        var runId = triggered.json().getString("run_id");
        Waits.until(WAIT, id + " finished", () -> List.of("completed", "failed", "cancelled")
            .contains(admin.get("/api/runs/" + runId).json().getString("status")));
        answers.append(admin.get("/api/runs/" + runId).text()).append(admin.get("/api/runs/" + runId + "/events").text());
      }
    }
    Waits.until(WAIT, "the failure alert", () -> admin.get("/api/alerts").text().contains("backup_database"));
    var wrongKey = ADMIN_KEY.substring(0, ADMIN_KEY.length() - 2) + "xx";
    var probes = List.of(
        admin.withKey(wrongKey).get("/api/jobs"),
        anonymous.post("/api/session", new JsonObject().put("api_key", wrongKey).encode()),
        admin.get("/api/runs?status=" + ADMIN_KEY),
        admin.post("/api/podcasts", new JsonObject().put("rss_url", "http://127.0.0.1:1/x").encode()),
        admin.get("/api/admin/users"), admin.get("/api/me/keys"), admin.get("/api/alerts"),
        admin.get("/api/health/jobs"), admin.get("/api/runs?limit=500"), admin.get("/api/jobs"),
        admin.get("/api/session"), anonymous.get("/metrics"), anonymous.get("/health/ready"),
        anonymous.get("/api/openapi.yaml"));
    for (var probe : probes) {
      answers.append(probe.status()).append(' ').append(probe.text()).append(probe.headers()).append('\n');
    }
    var logged = new StringBuilder();
    for (var event : List.copyOf(logs.list)) {
      logged.append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        logged.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    }
    assertThat(logged.toString()).as("the logs").contains("Gateway listening").contains("backup_database");
    for (var secret : List.of(ADMIN_KEY, DB_PASSWORD, SMTP_PASSWORD)) {
      assertThat(answers.toString()).as("answers").doesNotContain(secret);
      assertThat(logged.toString()).as("logs").doesNotContain(secret);
    }
  }

  @Test
  @DisplayName("an OPML import may be up to 5 MB, any other body 1 MB; larger is 413 in the JSON error shape")
  void bodyLimits() {
    var outline = "<outline text=\"x\" xmlUrl=\"http://127.0.0.1:1/feed.xml\"/>";
    var twoMb = "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>" + "<!-- padding -->".repeat(130_000)
        + outline + "</body></opml>";
    var imported = admin.call("POST", "/api/podcasts/import", twoMb, Map.of("Content-Type", "text/xml"));
    assertThat(imported.status()).as(imported.toString()).isNotEqualTo(413).isLessThan(500);
    var sixMb = "<opml>" + " ".repeat(6 * 1024 * 1024) + "</opml>";
    var tooBig = admin.call("POST", "/api/podcasts/import", sixMb, Map.of("Content-Type", "text/xml"));
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.json().getString("error")).isEqualTo("too_large");
    var json = admin.post("/api/podcasts", "{\"rss_url\": \"" + "x".repeat(1_200_000) + "\"}");
    assertThat(json.status()).isEqualTo(413);
    assertErrorJson(json, "413");
  }
}
