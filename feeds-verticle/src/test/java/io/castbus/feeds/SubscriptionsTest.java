package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.Addresses;
import io.castbus.common.RunTypes;
import io.castbus.testkit.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several users on one feed: one fetch, one set of episodes and files, a subscription each with its own settings. */
@DisplayName("One feed, many subscriptions: a second user subscribes to a podcast the first has, and each keeps their own")
class SubscriptionsTest {

  @TempDir
  static Path downloads;
  static FeedsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new FeedsFixture("feeds_subscriptions", Map.of("DOWNLOAD_DIR", downloads.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static JsonObject as(String owner, boolean admin) {
    return fx.caller(owner, admin);
  }

  private static java.util.List<Long> ids(JsonObject list) {
    return list.getJsonArray("podcasts").stream().map(p -> ((JsonObject) p).getLong("id")).toList();
  }

  @Test
  @DisplayName("the same URL by another user is 201 with their own subscription and the episodes already known, with no second fetch; by the same user 409")
  void secondUserSubscribes() {
    fx.server.feed("/shared.xml", Rss.feed("Shared Show", fx.server.url("/m"), 1, 4));
    var url = fx.server.url("/shared.xml");
    var alice = fx.call(Addresses.PODCASTS_ADD, as("alice", false).put("rss_url", url).put("max_episodes_to_keep", 3)
        .put("auto_download", false));
    assertThat(fx.server.hits("/shared.xml")).isEqualTo(1);

    var bob = fx.call(Addresses.PODCASTS_ADD, as("bob", false).put("rss_url", url).put("max_episodes_to_keep", 1)
        .put("auto_download", true));

    assertThat(bob.getLong("id")).isNotEqualTo(alice.getLong("id"));
    assertThat(bob.getString("owner")).isEqualTo("bob");
    assertThat(bob.getString("title")).isEqualTo("Shared Show");
    assertThat(bob.getLong("episode_count")).isEqualTo(4L);
    assertThat(bob.getJsonObject("refresh").getBoolean("shared_feed")).isTrue();
    assertThat(bob.getJsonObject("refresh").getInteger("queued_downloads")).as("bob's newest 1").isEqualTo(1);
    assertThat(fx.server.hits("/shared.xml")).as("no second fetch").isEqualTo(1);
    assertThat(fx.count("select count(*) from podcasts where rss_url = $1", url)).isEqualTo(1L);

    var again = fx.fails(Addresses.PODCASTS_ADD, as("alice", false).put("rss_url", url));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.getMessage()).isEqualTo("a podcast with rss_url " + url + " already exists among your podcasts")
        .doesNotContain("bob");

    assertThat(ids(fx.call(Addresses.PODCASTS_LIST, as("alice", false)))).containsExactly(alice.getLong("id"));
    assertThat(ids(fx.call(Addresses.PODCASTS_LIST, as("bob", false)))).containsExactly(bob.getLong("id"));
    assertThat(fx.fails(Addresses.PODCASTS_GET, as("bob", false).put("id", alice.getLong("id"))).status())
        .isEqualTo(404);
    assertThat(ids(fx.call(Addresses.PODCASTS_LIST, as("root", true))))
        .contains(alice.getLong("id"), bob.getLong("id"));

    // Each keeps their own settings; the feed keeps what they ask for together.
    var bobs = fx.call(Addresses.PODCASTS_UPDATE, as("bob", false).put("id", bob.getLong("id")).put("title", "My show"));
    assertThat(bobs.getString("title")).isEqualTo("My show");
    assertThat(fx.call(Addresses.PODCASTS_GET, as("alice", false).put("id", alice.getLong("id"))).getString("title"))
        .isEqualTo("Shared Show");
    assertThat(fx.call(Addresses.PODCASTS_GET, as("alice", false).put("id", alice.getLong("id")))
        .getInteger("max_episodes_to_keep")).isEqualTo(3);
    var feed = fx.rows("select max_episodes_to_keep, auto_download from podcasts where rss_url = $1", url).get(0);
    assertThat(feed.getInteger(0)).isEqualTo(3);
    assertThat(feed.getBoolean(1)).isTrue();

    // Episodes appear under each user's own id; the feed is read once per refresh whoever asks.
    var page = fx.call(Addresses.EPISODES_LIST, as("bob", false).put("podcast_id", bob.getLong("id")));
    assertThat(page.getLong("total")).isEqualTo(4L);
    assertThat(page.getJsonArray("episodes").getJsonObject(0).getLong("podcast_id")).isEqualTo(bob.getLong("id"));
    var first = fx.call(Addresses.PODCASTS_REFRESH, as("alice", false).put("id", alice.getLong("id")));
    var second = fx.call(Addresses.PODCASTS_REFRESH, as("bob", false).put("id", bob.getLong("id")));
    // Both are refreshes of the one feed, under its dedupe key: at most one queued or running at a time.
    var feedId = fx.rows("select podcast_id from subscriptions where id = $1", bob.getLong("id")).get(0).getLong(0);
    for (var run : new String[] {first.getString("run_id"), second.getString("run_id")}) {
      var row = fx.rows("select dedupe_key, payload->>'podcast_id' from runs where id = $1::uuid", run).get(0);
      assertThat(row.getString(0)).isEqualTo("podcast:" + feedId);
      assertThat(row.getString(1)).isEqualTo(String.valueOf(feedId));
    }
  }

  @Test
  @DisplayName("unsubscribing with delete_files keeps the feed, its episodes and files while another user follows it")
  void filesStayWhileFollowed() throws Exception {
    fx.server.feed("/kept.xml", Rss.feed("Kept", fx.server.url("/k"), 1, 2));
    var url = fx.server.url("/kept.xml");
    var alice = fx.call(Addresses.PODCASTS_ADD, as("alice", false).put("rss_url", url).put("auto_download", false));
    var bob = fx.call(Addresses.PODCASTS_ADD, as("bob", false).put("rss_url", url).put("auto_download", false));
    var feed = fx.rows("select id from podcasts where rss_url = $1", url).get(0).getLong(0);
    fx.rows("update podcasts set folder = 'Kept' where id = $1", feed);
    var file = Files.createDirectories(downloads.resolve("Kept")).resolve("one.mp3");
    Files.writeString(file, "audio");
    fx.rows("update episodes set download_status = 'completed', file_path = 'Kept/one.mp3' where podcast_id = $1 "
        + "and guid = (select min(guid) from episodes where podcast_id = $1)", feed);

    var gone = fx.call(Addresses.PODCASTS_DELETE, as("bob", false).put("id", bob.getLong("id")).put("delete_files", true));

    assertThat(gone.getInteger("files_deleted")).isZero();
    assertThat(gone.getString("files_kept")).isEqualTo("other users follow this podcast");
    assertThat(file).exists();
    assertThat(fx.call(Addresses.PODCASTS_GET, as("alice", false).put("id", alice.getLong("id"))).getLong("episode_count"))
        .isEqualTo(2L);
    assertThat(ids(fx.call(Addresses.PODCASTS_LIST, as("bob", false)))).doesNotContain(bob.getLong("id"));

    var last = fx.call(Addresses.PODCASTS_DELETE, as("alice", false).put("id", alice.getLong("id"))
        .put("delete_files", true));
    assertThat(last.getInteger("files_deleted")).isEqualTo(1);
    assertThat(file).doesNotExist();
    assertThat(fx.count("select count(*) from podcasts where id = $1", feed)).isZero();
  }

  @Test
  @DisplayName("an OPML import subscribes to feeds other users follow without fetching them again")
  void importSubscribes() {
    fx.server.feed("/opml-a.xml", Rss.feed("Opml A", fx.server.url("/oa"), 1, 1));
    var known = fx.server.url("/opml-a.xml");
    fx.call(Addresses.PODCASTS_ADD, as("dora", false).put("rss_url", known).put("auto_download", false));
    var fresh = fx.server.url("/opml-b.xml");
    fx.server.feed("/opml-b.xml", Rss.feed("Opml B", fx.server.url("/ob"), 1, 1));
    var opml = """
        <?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
        <outline type="rss" text="A" xmlUrl="%s"/><outline type="rss" text="B" xmlUrl="%s"/></body></opml>"""
        .formatted(known, fresh);
    var hitsBefore = fx.server.hits("/opml-a.xml");

    var imported = fx.call(Addresses.PODCASTS_IMPORT, as("erin", false)
        .put("opml", Buffer.buffer(opml, "UTF-8").getBytes()).put("charset", StandardCharsets.UTF_8.name()));

    assertThat(imported.getInteger("imported")).isEqualTo(2);
    assertThat(fx.call(Addresses.PODCASTS_LIST, as("erin", false)).getJsonArray("podcasts")).hasSize(2);
    assertThat(fx.count("select count(*) from runs where type = $1 and payload->>'podcast_id' = $2",
        RunTypes.REFRESH_FEED, String.valueOf(fx.rows("select id from podcasts where rss_url = $1", known).get(0)
            .getLong(0)))).as("no refresh queued for the feed already known").isZero();
    Waits.until(java.time.Duration.ofSeconds(30), "the new feed refreshed", () -> fx.server.hits("/opml-b.xml") > 0);
    assertThat(fx.server.hits("/opml-a.xml")).isEqualTo(hitsBefore);
    var again = fx.call(Addresses.PODCASTS_IMPORT, as("erin", false)
        .put("opml", Buffer.buffer(opml, "UTF-8").getBytes()).put("charset", StandardCharsets.UTF_8.name()));
    assertThat(again.getInteger("imported")).isZero();
    assertThat(again.getInteger("existing")).isEqualTo(2);
  }

  @Test
  @DisplayName("a feed is refreshed at the shortest interval its subscribers ask for; the frequent job takes those under the default; 299 s is refused")
  void refreshIntervals() {
    fx.server.feed("/often.xml", Rss.feed("Often", fx.server.url("/o"), 1, 1));
    fx.server.feed("/rare.xml", Rss.feed("Rare", fx.server.url("/r"), 1, 1));
    var often = fx.call(Addresses.PODCASTS_ADD, as("hal", false).put("rss_url", fx.server.url("/often.xml"))
        .put("auto_download", false).put("refresh_interval_s", 600));
    assertThat(often.getInteger("refresh_interval_s")).isEqualTo(600);
    fx.call(Addresses.PODCASTS_ADD, as("ivy", false).put("rss_url", fx.server.url("/often.xml"))
        .put("auto_download", false));
    var rare = fx.call(Addresses.PODCASTS_ADD, as("hal", false).put("rss_url", fx.server.url("/rare.xml"))
        .put("auto_download", false).put("refresh_interval_s", 86_400));
    var oftenFeed = fx.rows("select podcast_id from subscriptions where id = $1", often.getLong("id")).get(0).getLong(0);
    var rareFeed = fx.rows("select podcast_id from subscriptions where id = $1", rare.getLong("id")).get(0).getLong(0);

    // Just read: the frequent job does not take it yet, and the hourly firing leaves both alone.
    assertThat(refreshed(RefreshAll.FREQUENT_JOB)).doesNotContain(oftenFeed);
    assertThat(refreshed("refresh_podcasts")).doesNotContain(oftenFeed, rareFeed);
    fx.rows("update podcasts set last_checked = now() - interval '11 minutes' where id = $1", oftenFeed);
    fx.rows("update podcasts set last_checked = now() - interval '2 hours' where id = $1", rareFeed);
    assertThat(refreshed(RefreshAll.FREQUENT_JOB)).contains(oftenFeed).doesNotContain(rareFeed);
    assertThat(refreshed("refresh_podcasts")).as("a day not passed").doesNotContain(rareFeed);
    fx.rows("update podcasts set last_checked = now() - interval '25 hours' where id = $1", rareFeed);
    assertThat(refreshed("refresh_podcasts")).contains(rareFeed).doesNotContain(oftenFeed);

    var tooOften = fx.fails(Addresses.PODCASTS_UPDATE, as("hal", false).put("id", often.getLong("id"))
        .put("refresh_interval_s", 299));
    assertThat(tooOften.status()).isEqualTo(400);
    assertThat(tooOften.getMessage()).startsWith("refresh_interval_s must be");
    var cleared = fx.call(Addresses.PODCASTS_UPDATE, as("hal", false).put("id", often.getLong("id"))
        .putNull("refresh_interval_s"));
    assertThat(cleared.getValue("refresh_interval_s")).isNull();
  }

  /** The feeds a firing of {@code job}'s refresh_podcasts queued a refresh for. */
  private static java.util.List<Long> refreshed(String job) {
    var run = fx.run(io.castbus.common.queue.NewRun.of(FeedsVerticle.REFRESH_PODCASTS, new JsonObject()).job(job, null));
    return fx.rows("select (payload->>'podcast_id')::bigint from runs where parent_id = $1::uuid", run.getString("id"))
        .stream().map(r -> r.getLong(0)).toList();
  }
}
