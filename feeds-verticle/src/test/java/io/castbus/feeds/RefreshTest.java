package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.Addresses;
import io.castbus.common.RunTypes;
import io.castbus.common.queue.NewRun;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Feed refresh: adding, refreshing, queuing downloads, fetching over HTTP on loopback")
class RefreshTest {

  static FeedsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new FeedsFixture("feeds_refresh", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private JsonObject refresh(long podcast) {
    return fx.run(RunTypes.refresh(podcast));
  }

  private long downloadRuns(long podcast) {
    return fx.count("select count(*) from runs r join episodes e on e.id = (r.payload ->> 'episode_id')::bigint "
        + "where r.type = 'download_episode' and e.podcast_id = $1", podcast);
  }

  @Test
  @DisplayName("adding with auto_download stores every episode and queues only the N most recent; the same URL → 409")
  void addQueuesMostRecent() {
    fx.server.feed("/add.xml", Rss.feed("Added", fx.server.url("/media"), 1, 8));
    var podcast = fx.add(fx.server.url("/add.xml"), 3, true);
    assertThat(podcast.getString("title")).isEqualTo("Added");
    assertThat(podcast.getLong("episode_count")).isEqualTo(8L);
    assertThat(podcast.getString("last_checked")).isNotNull();
    var id = podcast.getLong("id");
    var pending = fx.rows("select guid from episodes where podcast_id = $1 and download_status = 'pending' "
        + "order by guid", id).stream().map(r -> r.getString(0)).toList();
    assertThat(pending).containsExactly("ep-6", "ep-7", "ep-8");
    assertThat(fx.count("select count(*) from runs r join episodes e on e.id = (r.payload ->> 'episode_id')::bigint "
        + "where r.type = 'download_episode' and r.status = 'queued' and r.owner = 'admin' and e.podcast_id = $1 "
        + "and e.download_status = 'pending'", id)).isEqualTo(3L);

    var again = fx.fails(Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", fx.server.url("/add.xml")));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.getMessage()).contains("already exists");
  }

  @Test
  @DisplayName("a refresh of a feed that gained items adds exactly the new episodes and queues their downloads")
  void refreshAddsExactlyTheNew() {
    var media = fx.server.url("/media");
    fx.server.feed("/grow.xml", Rss.feed("Grow", media, 1, 3));
    var id = fx.add(fx.server.url("/grow.xml"), 5, true).getLong("id");
    assertThat(downloadRuns(id)).isEqualTo(3L);
    fx.server.feed("/grow.xml", Rss.feed("Grow", media, 1, 5));

    var run = refresh(id);
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getJsonObject("result").getInteger("added")).isEqualTo(2);
    assertThat(run.getJsonObject("result").getInteger("queued_downloads")).isEqualTo(2);
    assertThat(fx.count("select count(*) from episodes where podcast_id = $1", id)).isEqualTo(5L);
    assertThat(downloadRuns(id)).isEqualTo(5L);

    var again = refresh(id).getJsonObject("result");
    assertThat(again.getInteger("added")).isZero();
    assertThat(again.getInteger("updated")).as("unchanged episodes are not rewritten").isZero();
  }

  @Test
  @DisplayName("without auto_download nothing is queued; an episode deleted by cleanup is never queued again")
  void neverRequeuesDeleted() {
    var media = fx.server.url("/media");
    fx.server.feed("/deleted.xml", Rss.feed("Deleted", media, 1, 2));
    var id = fx.add(fx.server.url("/deleted.xml"), 5, true).getLong("id");
    fx.rows("update episodes set download_status = 'deleted' where podcast_id = $1 and guid = 'ep-1'", id);
    fx.server.feed("/deleted.xml", Rss.feed("Deleted", Rss.item("ep-1", "Episode 1 (remastered)", 1,
        media + "/ep-1.mp3") + Rss.item("ep-2", "Episode 2", 2, media + "/ep-2.mp3")));
    assertThat(refresh(id).getJsonObject("result").getInteger("updated")).isEqualTo(1);
    assertThat(fx.rows("select download_status, title from episodes where podcast_id = $1 and guid = 'ep-1'", id)
        .get(0).getString(0)).isEqualTo("deleted");
    assertThat(downloadRuns(id)).isEqualTo(2L);

    fx.server.feed("/manual.xml", Rss.feed("Manual", media, 1, 4));
    var manual = fx.add(fx.server.url("/manual.xml"), 5, false).getLong("id");
    assertThat(downloadRuns(manual)).isZero();
    assertThat(fx.count("select count(*) from episodes where podcast_id = $1 and download_status = 'none'", manual))
        .isEqualTo(4L);
  }

  @Test
  @DisplayName("a feed that gives no duration leaves the one known (its file's) through a change; a duration it gives wins")
  void durationKept() {
    var media = fx.server.url("/media");
    var bare = Rss.item("ep-1", "Episode 1", 1, media + "/ep-1.mp3")
        .replace("<itunes:duration>12:34</itunes:duration>", "");
    fx.server.feed("/lengths.xml", Rss.feed("Lengths", bare));
    var id = fx.add(fx.server.url("/lengths.xml"), 5, false).getLong("id");
    assertThat(duration(id)).isNull();
    // As a completed download records it, read from the file.
    fx.rows("update episodes set duration_s = 95 where podcast_id = $1", id);
    fx.server.feed("/lengths.xml", Rss.feed("Lengths", bare.replace("Episode 1", "Episode 1 (remastered)")));
    assertThat(refresh(id).getJsonObject("result").getInteger("updated")).isEqualTo(1);
    assertThat(duration(id)).isEqualTo(95);

    fx.server.feed("/lengths.xml", Rss.feed("Lengths", Rss.item("ep-1", "Episode 1 (remastered)", 1,
        media + "/ep-1.mp3")));
    assertThat(refresh(id).getJsonObject("result").getInteger("updated")).isEqualTo(1);
    assertThat(duration(id)).isEqualTo(12 * 60 + 34);
  }

  private Integer duration(long podcast) {
    return fx.rows("select duration_s from episodes where podcast_id = $1", podcast).get(0).getInteger(0);
  }

  @Test
  @DisplayName("an episode whose GUID changed but whose enclosure did not stays the same episode")
  void guidChangeKeepsEpisode() {
    var media = fx.server.url("/media");
    fx.server.feed("/rekey.xml", Rss.feed("Rekey", media, 1, 2));
    var id = fx.add(fx.server.url("/rekey.xml"), 5, true).getLong("id");
    var before = fx.rows("select id from episodes where podcast_id = $1 and guid = 'ep-2'", id).get(0).getLong(0);
    fx.server.feed("/rekey.xml", Rss.feed("Rekey", Rss.item("https://host.example/ep/2", "Episode 2", 2,
        media + "/ep-2.mp3") + Rss.item("ep-1", "Episode 1", 1, media + "/ep-1.mp3")));
    var result = refresh(id).getJsonObject("result");
    assertThat(result.getInteger("added")).isZero();
    assertThat(fx.rows("select guid from episodes where id = $1", before).get(0).getString(0))
        .isEqualTo("https://host.example/ep/2");
    assertThat(fx.count("select count(*) from episodes where podcast_id = $1", id)).isEqualTo(2L);
    assertThat(downloadRuns(id)).isEqualTo(2L);
  }

  @Test
  @DisplayName("conditional GET: the ETag and Last-Modified are sent back, and a 304 skips parsing")
  void conditionalGet() {
    var body = Rss.feed("Etag", fx.server.url("/media"), 1, 2);
    var conditional = new AtomicReference<String>();
    fx.server.route("/etag.xml", req -> {
      conditional.set(req.getHeader("If-None-Match") + " | " + req.getHeader("If-Modified-Since"));
      if ("\"v1\"".equals(req.getHeader("If-None-Match"))) {
        req.response().setStatusCode(304).end();
      } else {
        req.response().putHeader("ETag", "\"v1\"").putHeader("Last-Modified", "Sun, 01 Nov 2026 06:00:00 GMT")
            .putHeader("Content-Type", "application/rss+xml").end(body);
      }
    });
    var id = fx.add(fx.server.url("/etag.xml"), 5, false).getLong("id");
    var run = refresh(id);
    assertThat(run.getJsonObject("result").getBoolean("not_modified")).isTrue();
    assertThat(conditional.get()).isEqualTo("\"v1\" | Sun, 01 Nov 2026 06:00:00 GMT");
    var podcast = fx.call(Addresses.PODCASTS_GET, new JsonObject().put("id", id).put("admin", true));
    assertThat(podcast.getString("last_error")).isNull();
    assertThat(podcast.getLong("episode_count")).isEqualTo(2L);
  }

  @Test
  @DisplayName("gzip bodies are read; temporary redirects keep the URL, a permanent one or itunes:new-feed-url moves it")
  void redirects() {
    var media = fx.server.url("/media");
    fx.server.feed("/real.xml", Rss.feed("Real", media, 1, 2));
    fx.server.route("/temporary.xml", req -> req.response().setStatusCode(302)
        .putHeader("Location", "/real.xml").end());
    fx.server.route("/permanent.xml", req -> req.response().setStatusCode(301)
        .putHeader("Location", fx.server.url("/moved.xml")).end());
    fx.server.route("/moved.xml", req -> req.response().setStatusCode(308).putHeader("Location", "final.xml").end());
    fx.server.feed("/final.xml", Rss.feed("Final", media, 1, 1));
    fx.server.route("/gzip.xml", req -> req.response().putHeader("Content-Type", "application/xml")
        .end(Rss.feed("Zipped", media, 1, 3)));

    var temporary = fx.add(fx.server.url("/temporary.xml"), 5, false);
    assertThat(temporary.getString("rss_url")).isEqualTo(fx.server.url("/temporary.xml"));
    assertThat(temporary.getString("title")).isEqualTo("Real");
    var permanent = fx.add(fx.server.url("/permanent.xml"), 5, false);
    assertThat(permanent.getString("rss_url")).isEqualTo(fx.server.url("/final.xml"));
    assertThat(fx.add(fx.server.url("/gzip.xml"), 5, false).getLong("episode_count")).isEqualTo(3L);

    fx.server.feed("/announce.xml", Rss.feed("Announce", "<itunes:new-feed-url>" + fx.server.url("/final-2.xml")
        + "</itunes:new-feed-url>" + Rss.item("a", "A", 1, media + "/a.mp3")));
    assertThat(fx.add(fx.server.url("/announce.xml"), 5, false).getString("rss_url"))
        .isEqualTo(fx.server.url("/final-2.xml"));
  }

  @Test
  @DisplayName("a redirect loop, a stalling server and a feed over the size cap fail with their cause; nothing stored")
  void hostileServers() {
    fx.server.route("/loop.xml", req -> req.response().setStatusCode(302).putHeader("Location", "/loop.xml").end());
    var loop = fx.fails(Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", fx.server.url("/loop.xml")));
    assertThat(loop.code()).isEqualTo("too_many_redirects");
    assertThat(fx.server.hits("/loop.xml")).isEqualTo(6);

    fx.server.route("/stall.xml", req -> req.response().setChunked(true).write("<?xml version=\"1.0\"?><rss>"));
    var stall = fx.fails(Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", fx.server.url("/stall.xml")));
    assertThat(stall.status()).isEqualTo(400);
    assertThat(stall.code()).isEqualTo("timeout");
    assertThat(stall.getMessage()).contains("did not");

    var chunk = Buffer.buffer("<!-- " + "x".repeat(64 * 1024) + " -->");
    fx.server.route("/huge.xml", req -> {
      req.response().setChunked(true).write("<?xml version=\"1.0\"?><rss>");
      var timer = fx.vertx.setPeriodic(1, t -> {
        if (!req.response().writeQueueFull()) {
          req.response().write(chunk);
        }
      });
      req.connection().closeHandler(v -> fx.vertx.cancelTimer(timer));
    });
    var huge = fx.fails(Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", fx.server.url("/huge.xml")));
    assertThat(huge.code()).isEqualTo("too_large");
    assertThat(huge.getMessage()).contains("larger than 4 MB");

    fx.server.feed("/html.xml", "<html><body><p>Not a feed</p></body></html>");
    var html = fx.fails(Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", fx.server.url("/html.xml")));
    assertThat(html.code()).isEqualTo("not_a_feed");
    assertThat(fx.count("select count(*) from podcasts where rss_url like '%loop%' or rss_url like '%stall%' "
        + "or rss_url like '%huge%' or rss_url like '%html%'")).isZero();
  }

  @Test
  @DisplayName("a failing refresh records last_error and a backoff that grows with consecutive failures")
  void failureBackoff() {
    var media = fx.server.url("/media");
    fx.server.feed("/flaky.xml", Rss.feed("Flaky", media, 1, 1));
    var id = fx.add(fx.server.url("/flaky.xml"), 5, false).getLong("id");
    fx.server.route("/flaky.xml", req -> req.response().setStatusCode(404).end("gone"));

    var run = refresh(id);
    assertThat(run.getString("status")).isEqualTo("failed");
    assertThat(run.getJsonObject("error").getString("message")).contains("HTTP 404");
    var first = fx.rows("select consecutive_failures, extract(epoch from next_refresh_after - last_checked), "
        + "last_error from podcasts where id = $1", id).get(0);
    assertThat(first.getInteger(0)).isEqualTo(1);
    assertThat(first.getString(2)).contains("HTTP 404");
    refresh(id);
    var second = fx.rows("select consecutive_failures, extract(epoch from next_refresh_after - last_checked) "
        + "from podcasts where id = $1", id).get(0);
    assertThat(second.getInteger(0)).isEqualTo(2);
    assertThat(second.getNumeric(1).doubleValue()).isGreaterThan(first.getNumeric(1).doubleValue());

    fx.server.feed("/flaky.xml", Rss.feed("Flaky", media, 1, 2));
    assertThat(refresh(id).getString("status")).isEqualTo("completed");
    var healed = fx.rows("select consecutive_failures, next_refresh_after, last_error from podcasts where id = $1", id)
        .get(0);
    assertThat(healed.getInteger(0)).isZero();
    assertThat(healed.getValue(1)).isNull();
    assertThat(healed.getValue(2)).isNull();
  }

  @Test
  @DisplayName("refresh_podcasts fans out one refresh_feed run per podcast; scheduled firings skip those backing off")
  void fanOut() {
    fx.server.feed("/fan.xml", Rss.feed("Fan", fx.server.url("/media"), 1, 1));
    var id = fx.add(fx.server.url("/fan.xml"), 5, false).getLong("id");
    var total = fx.count("select count(*) from podcasts");
    fx.rows("update podcasts set next_refresh_after = now() + interval '1 hour' where id = $1", id);

    var scheduled = fx.run(NewRun.of(FeedsVerticle.REFRESH_PODCASTS, new JsonObject()).job("refresh_podcasts", null));
    assertThat(scheduled.getJsonObject("result").getLong("podcasts")).isEqualTo(total - 1);
    assertThat(fx.count("select count(*) from runs where parent_id = $1::uuid and type = 'refresh_feed'",
        scheduled.getString("id"))).isEqualTo(total - 1);

    var manual = fx.run(NewRun.of(FeedsVerticle.REFRESH_PODCASTS, new JsonObject()).owner("admin", null));
    assertThat(manual.getJsonObject("result").getLong("podcasts")).isEqualTo(total);
  }
}
