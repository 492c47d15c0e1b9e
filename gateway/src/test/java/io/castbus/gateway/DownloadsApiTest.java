package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.downloads.DownloadsVerticle;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The downloads API over HTTP: a manual download with progress visible while it runs, and the list")
class DownloadsApiTest {

  static final int SIZE = 512 * 1024;

  @TempDir
  static Path temp;
  static GatewayFixture fixture;
  static ApiClient api;
  static HttpServer media;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_downloads", temp.resolve("data"), Map.of(
        "ADMIN_API_KEY", GatewayFixture.ADMIN_KEY, "DOWNLOAD_DIR", temp.resolve("downloads").toString(),
        "ALLOW_PRIVATE_NETWORKS", "true"));
    Waits.await(fixture.vertx.deployVerticle(new DownloadsVerticle(fixture.process)));
    media = Waits.await(fixture.vertx.createHttpServer().requestHandler(req -> {
      var response = req.response().putHeader("Content-Type", "audio/mpeg")
          .putHeader("Content-Length", String.valueOf(SIZE));
      var chunk = Buffer.buffer(new byte[SIZE / 16]);
      for (var i = 0; i < 16; i++) {
        var last = i == 15;
        fixture.vertx.setTimer(1 + i * 150L, t -> {
          if (last) {
            response.end(chunk);
          } else {
            response.write(chunk);
          }
        });
      }
    }).listen(0, "127.0.0.1"));
    api = fixture.api();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static long insert(String sql, Object... args) {
    return Waits.await(fixture.process.pool().preparedQuery(sql).execute(Tuple.from(args)))
        .iterator().next().getLong(0);
  }

  @Test
  @DisplayName("POST /api/episodes/{id}/download answers 202; GET /api/downloads shows it downloading, then completed")
  void manualDownload() {
    var podcast = insert("insert into podcasts (rss_url, title, owner) values ('http://feeds.example/a', 'The Daily', "
        + "'admin') returning id");
    var episode = insert("insert into episodes (podcast_id, guid, title, published_at, enclosure_url) "
        + "values ($1, 'g1', 'First', '2026-11-20T06:00:00Z', $2) returning id", podcast,
        "http://127.0.0.1:" + media.actualPort() + "/first.mp3");

    var queued = api.post("/api/episodes/" + episode + "/download", null);
    assertThat(queued.status()).as(queued.toString()).isEqualTo(202);
    var runId = queued.json().getString("run_id");
    assertThat(api.post("/api/episodes/" + episode + "/download", null).json().getString("run_id"))
        .as("asking again answers the same run").isEqualTo(runId);

    Waits.until(Duration.ofSeconds(20), "progress visible while downloading", () -> {
      var d = api.get("/api/downloads?status=downloading").json();
      if (d.getInteger("total") != 1) {
        return false;
      }
      var done = d.getJsonArray("downloads").getJsonObject(0).getJsonObject("progress").getLong("bytes_done");
      return done != null && done > 0 && done < SIZE;
    });
    var running = api.get("/api/downloads?status=downloading").json().getJsonArray("downloads").getJsonObject(0);
    assertThat(running.getString("run_id")).isEqualTo(runId);
    assertThat(running.getJsonObject("progress").getLong("bytes_total")).isEqualTo((long) SIZE);

    var run = api.awaitRun(runId, "completed", Duration.ofSeconds(30));
    assertThat(run.getJsonObject("progress").getLong("current")).isEqualTo((long) SIZE);
    var all = api.get("/api/downloads?podcast=" + podcast).json();
    assertThat(all.getInteger("total")).isEqualTo(1);
    var done = all.getJsonArray("downloads").getJsonObject(0);
    assertThat(done.getString("status")).isEqualTo("completed");
    assertThat(done.getString("podcast")).isEqualTo("The Daily");
    assertThat(done.getString("file_path")).isEqualTo("The Daily/2026-11-20 - First.mp3");
    assertThat(done.getJsonObject("progress")).isEqualTo(new JsonObject().put("bytes_done", SIZE)
        .put("bytes_total", SIZE).put("percent", 100.0));
    assertThat(Files.exists(temp.resolve("downloads/The Daily/2026-11-20 - First.mp3"))).isTrue();
    assertThat(api.get("/api/downloads?status=pending").json().getInteger("total")).isZero();
  }

  @Test
  @DisplayName("a user key sees and downloads only the episodes of its own podcasts")
  void usersSeeTheirOwn() {
    var bob = insert("insert into users (name, role) values ('bob', 'user') returning id");
    var key = "cb_downloads_test_bob_key";
    // Stored the way keys were before keyed hashes: still accepted, and rewritten on first use.
    insert("insert into api_keys (user_id, prefix, hash, scheme) values ($1, $2, $3, 'sha256') returning id", bob,
        key.substring(0, 10), io.castbus.gateway.auth.ApiKeys.sha256(key));
    var others = insert("insert into podcasts (rss_url, title, owner) values ('http://feeds.example/o', 'Others', "
        + "'carol') returning id");
    var theirs = insert("insert into episodes (podcast_id, guid, title, enclosure_url, download_status) "
        + "values ($1, 'o1', 'Not yours', 'http://127.0.0.1:9/x.mp3', 'failed') returning id", others);
    var own = insert("insert into podcasts (rss_url, title, owner, owner_id) values ('http://feeds.example/b', "
        + "'Bobcast', 'bob', $1) returning id", bob);
    insert("insert into episodes (podcast_id, guid, title, enclosure_url, download_status) "
        + "values ($1, 'b1', 'Yours', 'http://127.0.0.1:9/y.mp3', 'failed') returning id", own);
    var asBob = api.withKey(key);

    var listed = asBob.get("/api/downloads?status=failed").json();
    assertThat(listed.getInteger("total")).isEqualTo(1);
    assertThat(listed.getJsonArray("downloads").getJsonObject(0).getString("podcast")).isEqualTo("Bobcast");
    assertThat(asBob.post("/api/episodes/" + theirs + "/download", null).status()).isEqualTo(404);
    assertThat(api.get("/api/downloads?status=failed").json().getInteger("total")).as("the admin sees all")
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("an unknown episode is 404, a bad status or id is 400 naming the field")
  void badInput() {
    var missing = api.post("/api/episodes/987654/download", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("message")).isEqualTo("no episode with id 987654");
    var status = api.get("/api/downloads?status=bogus");
    assertThat(status.status()).isEqualTo(400);
    assertThat(status.json().getString("message")).contains("status");
    assertThat(api.post("/api/episodes/abc/download", null).status()).isEqualTo(400);
  }
}
