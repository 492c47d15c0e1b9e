package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.Addresses;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.testkit.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The podcast API on the event bus: visibility, paging, keep, delete, OPML import and export, SSRF")
class PodcastApiTest {

  @TempDir
  static Path downloads;
  static FeedsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new FeedsFixture("feeds_api", Map.of("DOWNLOAD_DIR", downloads.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static JsonObject as(String owner, boolean admin) {
    return fx.caller(owner, admin);
  }

  @Test
  @DisplayName("a user sees and changes only their own podcasts; others' answer 404; bad values answer 400")
  void visibility() {
    fx.server.feed("/alice.xml", Rss.feed("Alice", fx.server.url("/m"), 1, 2));
    var added = fx.call(Addresses.PODCASTS_ADD, as("alice", false).put("rss_url", fx.server.url("/alice.xml"))
        .put("auto_download", false));
    var id = added.getLong("id");
    assertThat(added.getString("owner")).isEqualTo("alice");
    assertThat(added.getInteger("max_episodes_to_keep")).isEqualTo(5);

    var mine = fx.call(Addresses.PODCASTS_LIST, as("alice", false)).getJsonArray("podcasts");
    assertThat(mine.stream().map(p -> ((JsonObject) p).getLong("id"))).containsExactly(id);
    assertThat(fx.call(Addresses.PODCASTS_LIST, as("bob", false)).getJsonArray("podcasts")).isEmpty();
    assertThat(fx.fails(Addresses.PODCASTS_GET, as("bob", false).put("id", id)).status()).isEqualTo(404);
    assertThat(fx.fails(Addresses.PODCASTS_DELETE, as("bob", false).put("id", id)).status()).isEqualTo(404);
    assertThat(fx.call(Addresses.PODCASTS_GET, as("admin", true).put("id", id)).getString("title")).isEqualTo("Alice");

    var updated = fx.call(Addresses.PODCASTS_UPDATE, as("alice", false).put("id", id).put("max_episodes_to_keep", 2)
        .put("auto_download", true).put("title", "Alice's Show"));
    assertThat(updated.getInteger("max_episodes_to_keep")).isEqualTo(2);
    assertThat(updated.getBoolean("auto_download")).isTrue();
    assertThat(updated.getString("title")).isEqualTo("Alice's Show");
    var tooMany = fx.fails(Addresses.PODCASTS_UPDATE, as("alice", false).put("id", id).put("max_episodes_to_keep", 101));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.getMessage()).contains("between 1 and 100");
    assertThat(fx.fails(Addresses.PODCASTS_ADD, as("alice", false).put("rss_url", "ftp://example.org/feed"))
        .getMessage()).contains("not an http or https URL");
    assertThat(fx.fails(Addresses.PODCASTS_GET, as("admin", true).put("id", 999_999)).getMessage())
        .isEqualTo("no podcast with id 999999");
  }

  @Test
  @DisplayName("episodes come newest first in pages with a total and a cursor; undated ones last; keep is set")
  void episodesPaged() {
    var media = fx.server.url("/m");
    var items = new StringBuilder();
    for (var n = 7; n >= 1; n--) {
      items.append(Rss.item("p-" + n, "Paged " + n, n, media + "/p-" + n + ".mp3"));
    }
    items.append("<item><guid>undated-1</guid><title>Undated</title><enclosure url=\"" + media + "/u1.mp3\"/></item>");
    fx.server.feed("/paged.xml", Rss.feed("Paged", items.toString()));
    var id = fx.add(fx.server.url("/paged.xml"), 5, false).getLong("id");

    var titles = new ArrayList<String>();
    String cursor = null;
    var pages = 0;
    do {
      var page = fx.call(Addresses.EPISODES_LIST, as("admin", true).put("podcast_id", id).put("limit", 3)
          .put("cursor", cursor));
      assertThat(page.getLong("total")).isEqualTo(8L);
      page.getJsonArray("episodes").forEach(e -> titles.add(((JsonObject) e).getString("title")));
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(titles).containsExactly("Paged 7", "Paged 6", "Paged 5", "Paged 4", "Paged 3", "Paged 2", "Paged 1",
        "Undated");

    var first = fx.call(Addresses.EPISODES_LIST, as("admin", true).put("podcast_id", id).put("limit", 1))
        .getJsonArray("episodes").getJsonObject(0);
    assertThat(first.fieldNames()).contains("guid", "title", "published_at", "enclosure_url", "download_status",
        "file_path", "bytes", "keep");
    assertThat(first.getInteger("duration_s")).isEqualTo(754);
    var kept = fx.call(Addresses.EPISODES_UPDATE, as("admin", true).put("id", first.getLong("id")).put("keep", true));
    assertThat(kept.getBoolean("keep")).isTrue();
    assertThat(fx.fails(Addresses.EPISODES_UPDATE, as("bob", false).put("id", first.getLong("id")).put("keep", false))
        .status()).isEqualTo(404);
    assertThat(fx.fails(Addresses.EPISODES_LIST, as("admin", true).put("podcast_id", id).put("cursor", "nonsense!"))
        .status()).isEqualTo(400);
  }

  @Test
  @DisplayName("refresh now queues a run that completes; delete keeps files unless delete_files, and never leaves DOWNLOAD_DIR")
  void refreshAndDelete() throws Exception {
    fx.server.feed("/del.xml", Rss.feed("Del", fx.server.url("/m"), 1, 2));
    var id = fx.add(fx.server.url("/del.xml"), 5, false).getLong("id");
    var runId = fx.call(Addresses.PODCASTS_REFRESH, as("admin", true).put("id", id)).getString("run_id");
    Waits.until(Duration.ofSeconds(30), "refresh completed",
        () -> fx.count("select count(*) from runs where id = $1::uuid and status = 'completed'", runId) == 1);

    var folder = Files.createDirectories(downloads.resolve("Del"));
    Files.writeString(folder.resolve("one.mp3"), "audio");
    var outside = Files.writeString(downloads.getParent().resolve("outside-" + id + ".mp3"), "not ours");
    fx.rows("update podcasts set folder = 'Del' where id = $1", id);
    fx.rows("update episodes set file_path = 'Del/one.mp3', download_status = 'completed' where podcast_id = $1 "
        + "and guid = 'ep-1'", id);
    fx.rows("update episodes set file_path = '../" + outside.getFileName() + "', download_status = 'completed' "
        + "where podcast_id = $1 and guid = 'ep-2'", id);
    var deleted = fx.call(Addresses.PODCASTS_DELETE, as("admin", true).put("id", id).put("delete_files", true));
    assertThat(deleted.getInteger("files_deleted")).isEqualTo(1);
    assertThat(folder).doesNotExist();
    assertThat(outside).exists();
    assertThat(fx.count("select count(*) from episodes where podcast_id = $1", id)).isZero();

    fx.server.feed("/keepfiles.xml", Rss.feed("Keep", fx.server.url("/m"), 1, 1));
    var other = fx.add(fx.server.url("/keepfiles.xml"), 5, false).getLong("id");
    var file = Files.writeString(Files.createDirectories(downloads.resolve("Keep")).resolve("a.mp3"), "audio");
    fx.rows("update episodes set file_path = 'Keep/a.mp3' where podcast_id = $1", other);
    assertThat(fx.call(Addresses.PODCASTS_DELETE, as("admin", true).put("id", other)).getInteger("files_deleted"))
        .isZero();
    assertThat(file).exists();
  }

  @Test
  @DisplayName("OPML import adds the new feeds and refreshes them; export lists them; importing the export adds none")
  void opmlRoundTrip() {
    var media = fx.server.url("/m");
    fx.server.feed("/opml-a.xml", Rss.feed("From OPML A", media, 1, 2));
    fx.server.feed("/opml-b.xml", Rss.feed("From OPML B", media, 1, 3));
    var list = """
        <?xml version="1.0" encoding="ISO-8859-1"?>
        <opml version="1.0"><head><title>Mine</title></head><body>
        <outline text="Caf\u00e9"><outline type="rss" text="A" xmlUrl="%s"/></outline>
        <outline type="rss" text="B" xmlURL="%s"/>
        <outline type="rss" text="Pipe" xmlUrl="|~/fetch.sh"/>
        </body></opml>
        """.formatted(fx.server.url("/opml-a.xml"), fx.server.url("/opml-b.xml"));
    var imported = fx.call(Addresses.PODCASTS_IMPORT, as("carol", false)
        .put("opml", Buffer.buffer(list.getBytes(StandardCharsets.ISO_8859_1)).getBytes()));
    assertThat(imported.getInteger("imported")).isEqualTo(2);
    assertThat(imported.getJsonArray("invalid")).containsExactly("|~/fetch.sh");
    Waits.until(Duration.ofSeconds(30), "imported podcasts refreshed", () -> fx.count(
        "select count(*) from podcasts where owner = 'carol' and title like 'From OPML%' and last_success is not null")
        == 2);
    assertThat(fx.count("select count(*) from episodes e join podcasts p on p.id = e.podcast_id "
        + "where p.owner = 'carol'")).isEqualTo(5L);

    var export = fx.call(Addresses.PODCASTS_EXPORT, as("carol", false)).getString("opml");
    var read = Opml.read(export.getBytes(StandardCharsets.UTF_8), null);
    assertThat(read.feeds()).extracting(Opml.Outline::xmlUrl)
        .containsExactly(fx.server.url("/opml-a.xml"), fx.server.url("/opml-b.xml"));
    assertThat(read.feeds()).extracting(Opml.Outline::title).containsExactly("From OPML A", "From OPML B");
    var again = fx.call(Addresses.PODCASTS_IMPORT, as("carol", false).put("opml", export.getBytes(StandardCharsets.UTF_8)));
    assertThat(again.getInteger("imported")).isZero();
    assertThat(again.getInteger("existing")).isEqualTo(2);

    var broken = fx.fails(Addresses.PODCASTS_IMPORT, as("carol", false).put("opml", "<opml><body>".getBytes()));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.code()).isEqualTo("invalid_opml");
  }

  @Test
  @DisplayName("with private networks refused, loopback, private and metadata addresses are refused before any request")
  void ssrf() throws Exception {
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("127.0.0.1"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("10.1.2.3"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("192.168.0.1"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("169.254.169.254"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("100.64.0.1"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("::1"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("fd00::1"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("0.0.0.0"))).isFalse();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("93.184.216.34"))).isTrue();
    assertThat(NetworkPolicy.isPublic(InetAddress.getByName("2606:4700::1111"))).isTrue();

    try (var strict = new FeedsFixture("feeds_ssrf", Map.of("ALLOW_PRIVATE_NETWORKS", "false"))) {
      strict.server.feed("/private.xml", Rss.feed("Private", strict.server.url("/m"), 1, 1));
      var refused = strict.fails(Addresses.PODCASTS_ADD, as("admin", true)
          .put("rss_url", strict.server.url("/private.xml")));
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.code()).isEqualTo("private_network");
      assertThat(refused.getMessage()).contains("127.0.0.1").contains("ALLOW_PRIVATE_NETWORKS");
      assertThat(strict.server.hits("/private.xml")).isZero();
      assertThat(strict.count("select count(*) from podcasts")).isZero();
    }
  }
}
