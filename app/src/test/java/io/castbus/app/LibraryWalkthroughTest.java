package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.rometools.rome.io.SyndFeedInput;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Audio;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jaudiotagger.audio.AudioFileIO;
import org.jaudiotagger.tag.FieldKey;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's walk-through, to the end a listener sees: the default all-in-one (local-open) subscribes to a loopback
 * feed of real MP3 episodes with artwork; the files land tagged beside a cover.png, and the library's own feed,
 * read like a podcast app reads it, lists them with enclosures that play and seek.
 */
@DisplayName("Seed 000's walk-through ends in a library: tagged files, a cover, a feed a podcast app plays from")
class LibraryWalkthroughTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path data;

  @Test
  @DisplayName("add a podcast → tagged MP3s and cover.png in its folder → /api/me's library feed parses, every enclosure plays, a range seeks")
  void walkthroughToTheListener() throws Exception {
    var vertx = Vertx.vertx();
    var cover = DashboardBrowserTest.cover();
    var mp3 = Audio.mp3();
    var server = vertx.createHttpServer().requestHandler(req -> {
      var base = "http://127.0.0.1:" + req.localAddress().port();
      switch (req.path()) {
        case "/cover.png" -> req.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(cover));
        case "/one.mp3", "/two.mp3" -> req.response().putHeader("Content-Type", "audio/mpeg").end(Buffer.buffer(mp3));
        default -> req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <channel><title>Walk and Listen</title><itunes:author>Wanda</itunes:author>
            <itunes:image href="%1$s/cover.png"/>
            <item><guid>wl-2</guid><title>Two</title><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/two.mp3" type="audio/mpeg" length="1"/></item>
            <item><guid>wl-1</guid><title>One</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/one.mp3" type="audio/mpeg" length="1"/></item>
            </channel></rss>""".formatted(base));
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    var downloads = data.resolve("downloads");
    try (var db = TestDatabase.create("app_library_walk")) {
      var port = ChildProcess.freePort();
      var env = Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
          "DOWNLOAD_DIR", downloads.toString(), "DATABASE_URL", db.url(), "ALLOW_PRIVATE_NETWORKS", "true",
          "DOWNLOAD_MIN_FREE_MB", "1");
      try (var app = CastbusApp.start(Settings.load(env, Settings.AuthMode.LOCAL_OPEN))) {
        var api = new ApiClient("http://127.0.0.1:" + port, null);
        var added = api.post("/api/podcasts", new JsonObject()
            .put("rss_url", "http://127.0.0.1:" + server.actualPort() + "/walk.xml").encode());
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        var id = added.json().getLong("id");
        Waits.until(WAIT, "both episodes downloaded and the cover kept", () -> {
          var podcast = api.get("/api/podcasts/" + id).json();
          var done = api.get("/api/podcasts/" + id + "/episodes").json().getJsonArray("episodes").stream()
              .filter(e -> "completed".equals(((JsonObject) e).getString("download_status"))).count();
          return done == 2 && podcast.getString("cover_url") != null;
        });

        var folder = downloads.resolve("Walk and Listen");
        assertThat(Files.readAllBytes(folder.resolve("cover.png"))).isEqualTo(cover);
        for (var e : api.get("/api/podcasts/" + id + "/episodes").json().getJsonArray("episodes")) {
          var file = downloads.resolve(((JsonObject) e).getString("file_path"));
          assertThat(file.getParent()).isEqualTo(folder);
          var tag = AudioFileIO.read(new File(file.toString())).getTag();
          assertThat(tag.getFirst(FieldKey.TITLE)).isEqualTo(((JsonObject) e).getString("title"));
          assertThat(tag.getFirst(FieldKey.ALBUM)).isEqualTo("Walk and Listen");
          assertThat(tag.getFirst(FieldKey.ARTIST)).isEqualTo("Wanda");
          assertThat(tag.getFirstArtwork().getBinaryData()).as("the podcast's cover, embedded").isEqualTo(cover);
        }

        var feedUrl = api.get("/api/me").json().getString("library_feed_url");
        assertThat(feedUrl).matches("http://127\\.0\\.0\\.1:" + port + "/feeds/[a-z2-7]{32}/all\\.xml");
        var http = HttpClient.newHttpClient();
        var xml = http.send(HttpRequest.newBuilder(URI.create(feedUrl)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        var feed = new SyndFeedInput().build(new StringReader(xml));
        assertThat(feed.getEntries()).extracting(e -> e.getTitle()).containsExactly("Two", "One");
        for (var entry : feed.getEntries()) {
          var url = entry.getEnclosures().get(0).getUrl();
          var whole = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
          assertThat(whole.statusCode()).isEqualTo(200);
          var seek = http.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=1000-1999").build(),
              HttpResponse.BodyHandlers.ofByteArray());
          assertThat(seek.statusCode()).isEqualTo(206);
          assertThat(seek.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 1000, 2000));
        }
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
