package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.rometools.rome.io.SyndFeedInput;
import io.castbus.common.config.Settings;
import io.castbus.common.launch.Process;
import io.castbus.downloads.DownloadsVerticle;
import io.castbus.feeds.FeedsVerticle;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Audio;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library served back out, through real gateways in front of the real feeds and downloads modules: a loopback
 * feed with two real MP3 episodes and a cover is subscribed to, downloaded and tagged; the personal feeds are parsed
 * with ROME and every enclosure fetched; ranges, validators, bad tokens and revocation are tried from outside.
 */
@DisplayName("Personal feeds out: RSS a podcast app reads, enclosures it can seek, tokens that can be revoked")
class LibraryFeedsTest {

  @TempDir
  static Path temp;
  static Path library;
  static GatewayFixture fx;
  static Vertx sources;
  static HttpServer origin;
  static ApiClient admin;
  static ApiClient bob;
  static String bobKey;
  static long podcastId;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static byte[] cover;

  @BeforeAll
  static void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    cover = Files.readAllBytes(pngFile());
    sources = Vertx.vertx();
    var mp3 = Audio.mp3();
    origin = Waits.await(sources.createHttpServer().requestHandler(req -> {
      var base = "http://127.0.0.1:" + req.localAddress().port();
      switch (req.path()) {
        case "/feed.xml" -> req.response().putHeader("Content-Type", "application/rss+xml").end(feed(base));
        case "/cover.png" -> req.response().putHeader("Content-Type", "image/png")
            .putHeader("Content-Length", String.valueOf(cover.length)).end(io.vertx.core.buffer.Buffer.buffer(cover));
        case "/one.mp3", "/two.mp3" -> req.response().putHeader("Content-Type", "audio/mpeg")
            .end(io.vertx.core.buffer.Buffer.buffer(mp3));
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    fx = new GatewayFixture("library_feeds", temp.resolve("data"), Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY,
        "DOWNLOAD_DIR", library.toString(), "ALLOW_PRIVATE_NETWORKS", "true"));
    Waits.await(fx.vertx.deployVerticle(new FeedsVerticle(fx.process)));
    Waits.await(fx.vertx.deployVerticle(new DownloadsVerticle(fx.process)));
    admin = fx.api();
    var made = admin.post("/api/admin/users", "{\"name\": \"bob\", \"role\": \"user\"}");
    assertThat(made.status()).as(made.toString()).isEqualTo(201);
    bobKey = made.json().getString("api_key");
    bob = admin.withKey(bobKey);
    var added = bob.post("/api/podcasts", new JsonObject()
        .put("rss_url", "http://127.0.0.1:" + origin.actualPort() + "/feed.xml").encode());
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    podcastId = added.json().getLong("id");
    Waits.until(Duration.ofSeconds(60), "both episodes downloaded and the cover kept", () -> {
      var episodes = bob.get("/api/podcasts/" + podcastId + "/episodes").json().getJsonArray("episodes");
      var done = episodes.stream().filter(e -> "completed".equals(((JsonObject) e).getString("download_status")))
          .count();
      return done == 2 && bob.get("/api/podcasts/" + podcastId).json().getString("cover_url") != null;
    });
  }

  static Path pngFile() throws Exception {
    var image = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 4, 0xff8800);
    var file = temp.resolve("cover.png");
    javax.imageio.ImageIO.write(image, "png", file.toFile());
    return file;
  }

  static String feed(String base) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
        <channel><title>Library Hour</title><link>https://library.example/</link>
        <description>Served back out</description><itunes:author>Lib Rarian</itunes:author>
        <itunes:image href="%1$s/cover.png"/>
        <item><guid isPermaLink="false">lib-2</guid><title>Second &amp; newest</title>
          <description>&lt;p&gt;Two&lt;/p&gt;</description><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
          <itunes:duration>0:03</itunes:duration><itunes:episode>2</itunes:episode>
          <enclosure url="%1$s/two.mp3" length="1" type="audio/mpeg"/></item>
        <item><guid isPermaLink="false">lib-1</guid><title>First</title>
          <pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
          <enclosure url="%1$s/one.mp3" length="1" type="audio/mpeg"/></item>
        </channel></rss>""".formatted(base);
  }

  @AfterAll
  static void stop() {
    fx.close();
    Waits.await(sources.close());
  }

  static HttpResponse<byte[]> fetch(String url, Map<String, String> headers) throws Exception {
    return fetch("GET", url, headers);
  }

  static HttpResponse<byte[]> fetch(String method, String url, Map<String, String> headers) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static int status(String url) {
    try {
      return fetch(url, Map.of()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String libraryUrl(ApiClient who) {
    var me = who.get("/api/me");
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    return me.json().getString("library_feed_url");
  }

  @Test
  @DisplayName("the feeds parse with ROME: downloaded episodes newest first, GUIDs, titles and dates of the source, every enclosure fetchable byte-exact and tagged")
  void feedsParseAndPlay() throws Exception {
    var me = bob.get("/api/me").json();
    assertThat(me.getString("name")).isEqualTo("bob");
    assertThat(me.getString("role")).isEqualTo("user");
    var all = me.getString("library_feed_url");
    assertThat(all).matches("http://127\\.0\\.0\\.1:\\d+/feeds/[a-z2-7]{32}/all\\.xml");
    var podcastUrl = bob.get("/api/podcasts/" + podcastId).json().getString("library_feed_url");
    assertThat(podcastUrl).isEqualTo(all.replace("all.xml", "podcasts/" + podcastId + ".xml"));
    assertThat(bob.get("/api/podcasts").json().getJsonArray("podcasts").getJsonObject(0)
        .getString("library_feed_url")).isEqualTo(podcastUrl);

    for (var url : new String[] {podcastUrl, all}) {
      var response = fetch(url, Map.of());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/rss+xml");
      var feed = new SyndFeedInput().build(new StringReader(new String(response.body(),
          java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(feed.getEntries()).extracting(e -> e.getUri()).containsExactly("lib-2", "lib-1");
      assertThat(feed.getEntries().get(0).getTitle()).isEqualTo("Second & newest");
      assertThat(feed.getEntries().get(0).getPublishedDate().toInstant())
          .isEqualTo(java.time.Instant.parse("2026-11-24T08:00:00Z"));
      for (var entry : feed.getEntries()) {
        var enclosure = entry.getEnclosures().get(0);
        assertThat(enclosure.getType()).isEqualTo("audio/mpeg");
        var media = fetch(enclosure.getUrl(), Map.of());
        assertThat(media.statusCode()).as(enclosure.getUrl()).isEqualTo(200);
        assertThat(media.body().length).isEqualTo(enclosure.getLength());
        assertThat(new String(media.body(), 0, 3, java.nio.charset.StandardCharsets.ISO_8859_1)).as("tagged")
            .isEqualTo("ID3");
      }
    }
    var xml = new String(fetch(podcastUrl, Map.of()).body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(xml).contains("xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"")
        .contains("<itunes:duration>3</itunes:duration>").contains("<itunes:episode>2</itunes:episode>")
        .contains("<itunes:author>Lib Rarian</itunes:author>").contains("/covers/" + podcastId + ".png\"");
  }

  private static String mediaUrl() {
    var episodes = bob.get("/api/podcasts/" + podcastId + "/episodes").json().getJsonArray("episodes");
    var url = episodes.getJsonObject(0).getString("library_media_url");
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/feeds/[a-z2-7]{32}/media/\\d+\\.mp3");
    return url;
  }

  private static byte[] fileOf(String mediaUrl) throws Exception {
    var episodes = bob.get("/api/podcasts/" + podcastId + "/episodes").json().getJsonArray("episodes");
    for (var e : episodes) {
      var episode = (JsonObject) e;
      if (mediaUrl.equals(episode.getString("library_media_url"))) {
        return Files.readAllBytes(library.resolve(episode.getString("file_path")));
      }
    }
    throw new AssertionError("no episode has " + mediaUrl);
  }

  @Test
  @DisplayName("ranges: 206 with the exact bytes, suffix ranges, If-Range, ETag/304, HEAD; a bad or multiple range gets the whole file; past the end 416")
  void rangesAndValidators() throws Exception {
    var url = mediaUrl();
    var file = fileOf(url);
    var whole = fetch(url, Map.of());
    var etag = whole.headers().firstValue("etag").orElseThrow();
    var lastModified = whole.headers().firstValue("last-modified").orElseThrow();
    assertThat(whole.headers().firstValue("accept-ranges")).hasValue("bytes");
    assertThat(whole.body()).isEqualTo(file);

    var part = fetch(url, Map.of("Range", "bytes=100-199"));
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("content-range")).hasValue("bytes 100-199/" + file.length);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(file, 100, 200));

    var tail = fetch(url, Map.of("Range", "bytes=-10"));
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(file, file.length - 10, file.length));
    var open = fetch(url, Map.of("Range", "bytes=" + (file.length - 5) + "-"));
    assertThat(open.body()).isEqualTo(Arrays.copyOfRange(file, file.length - 5, file.length));

    assertThat(fetch(url, Map.of("Range", "bytes=10-19", "If-Range", etag)).statusCode()).isEqualTo(206);
    assertThat(fetch(url, Map.of("Range", "bytes=10-19", "If-Range", lastModified)).statusCode()).isEqualTo(206);
    var stale = fetch(url, Map.of("Range", "bytes=10-19", "If-Range", "\"something-else\""));
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(file);
    assertThat(fetch(url, Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);

    for (var bad : new String[] {"bytes=abc", "bytes=0-1,5-9", "items=0-5"}) {
      var answer = fetch(url, Map.of("Range", bad));
      assertThat(answer.statusCode()).as(bad).isEqualTo(200);
      assertThat(answer.body()).as(bad).isEqualTo(file);
    }
    var past = fetch(url, Map.of("Range", "bytes=" + file.length + "-"));
    assertThat(past.statusCode()).isEqualTo(416);
    assertThat(past.headers().firstValue("content-range")).hasValue("bytes */" + file.length);

    var head = fetch("HEAD", url, Map.of("Range", "bytes=0-9"));
    assertThat(head.statusCode()).isEqualTo(206);
    assertThat(head.headers().firstValue("content-length")).hasValue("10");
    assertThat(head.body()).isEmpty();
  }

  @Test
  @DisplayName("malformed, unknown and other users' tokens, and paths that climb out, answer 404 with no detail")
  void refusals() throws Exception {
    var url = mediaUrl();
    var token = url.replaceAll(".*/feeds/([a-z2-7]{32})/.*", "$1");
    var base = url.substring(0, url.indexOf("/feeds/"));
    var episode = url.replaceAll(".*/media/", "");
    var adminToken = libraryUrl(admin).replaceAll(".*/feeds/([a-z2-7]{32})/.*", "$1");
    for (var path : new String[] {
        "/feeds/" + token.toUpperCase(java.util.Locale.ROOT) + "/all.xml",
        "/feeds/" + token.substring(1) + "/all.xml",
        "/feeds/" + token.replace(token.charAt(0), '0') + "/all.xml",
        "/feeds/abcdefghijklmnopqrstuvwxyz234567/all.xml",
        "/feeds/" + adminToken + "/media/" + episode,
        "/feeds/" + adminToken + "/podcasts/" + podcastId + ".xml",
        "/feeds/" + adminToken + "/covers/" + podcastId + ".png",
        "/feeds/" + token + "/covers/" + podcastId + ".jpg",
        "/feeds/" + token + "/covers/999999.png",
        "/feeds/" + token + "/covers/..%2f..%2fdata%2fadmin-api-key",
        "/feeds/" + token + "/media/" + episode.replace(".mp3", ".m4a"),
        "/feeds/" + token + "/media/999999.mp3",
        "/feeds/" + token + "/media/%2e%2e%2f%2e%2e%2fdata%2fadmin-api-key",
        "/feeds/" + token + "/media/..%2f..%2fetc%2fpasswd",
        "/feeds/" + token + "/podcasts/0.xml"}) {
      var answer = fetch(base + path, Map.of());
      assertThat(answer.statusCode()).as(path).isEqualTo(404);
      assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8)).as(path)
          .doesNotContain("bob").doesNotContain(library.toString());
    }
    assertThat(fetch(url, Map.of()).statusCode()).as("the process still serves").isEqualTo(200);
  }

  @Test
  @DisplayName("the cover is kept as cover.png in the podcast's folder, served to its owner at /api/podcasts/{id}/cover, and named by the personal feed at its own address")
  void coverServed() throws Exception {
    var podcast = bob.get("/api/podcasts/" + podcastId).json();
    assertThat(podcast.getString("cover_url")).isEqualTo("/api/podcasts/" + podcastId + "/cover");
    assertThat(Files.readAllBytes(library.resolve(podcast.getString("folder")).resolve("cover.png"))).isEqualTo(cover);
    var served = HTTP.send(HttpRequest.newBuilder(URI.create(bob.baseUrl() + podcast.getString("cover_url")))
        .header("X-Api-Key", bobKey).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("content-type")).hasValue("image/png");
    assertThat(served.body()).isEqualTo(cover);
    var carol = admin.withKey(admin.post("/api/admin/users", "{\"name\": \"carol\", \"role\": \"user\"}").json()
        .getString("api_key"));
    assertThat(carol.get(podcast.getString("cover_url")).status()).isEqualTo(404);
    assertThat(carol.get("/api/podcasts/" + podcastId).status()).isEqualTo(404);

    // The personal feed names the kept cover, served under the token, not the source's image.
    var feedUrl = podcast.getString("library_feed_url");
    var feed = new SyndFeedInput().build(new StringReader(new String(fetch(feedUrl, Map.of()).body(),
        java.nio.charset.StandardCharsets.UTF_8)));
    var image = feed.getImage().getUrl();
    assertThat(image).isEqualTo(feedUrl.replace("/podcasts/" + podcastId + ".xml", "/covers/" + podcastId + ".png"));
    var kept = fetch(image, Map.of());
    assertThat(kept.statusCode()).isEqualTo(200);
    assertThat(kept.headers().firstValue("content-type")).hasValue("image/png");
    assertThat(kept.body()).isEqualTo(cover);
    var etag = kept.headers().firstValue("etag").orElseThrow();
    assertThat(fetch(image, Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);
  }

  @Test
  @DisplayName("a new feed token: the old one is refused at once on a second gateway that had it cached; PUBLIC_BASE_URL shapes the addresses")
  void rotationReachesEveryGateway() throws Exception {
    var env = new HashMap<String, String>(Map.of("HTTP_PORT", "0", "DATA_DIR", temp.resolve("data2").toString(),
        "DOWNLOAD_DIR", library.toString(), "PUBLIC_BASE_URL", "https://pods.example.org/castbus/"));
    var second = new GatewayVerticle(new Process(fx.vertx, Settings.load(env, Settings.AuthMode.REQUIRED),
        fx.database, fx.process.pool(), fx.process.health()));
    Waits.await(fx.vertx.deployVerticle(second));
    var onSecond = new ApiClient("http://127.0.0.1:" + second.actualPort(), bobKey);
    var before = libraryUrl(bob);
    var viaSecond = libraryUrl(onSecond);
    assertThat(viaSecond).startsWith("https://pods.example.org/castbus/feeds/")
        .endsWith(before.substring(before.indexOf("/feeds/")));
    var oldPath = before.substring(before.indexOf("/feeds/"));
    var secondBase = "http://127.0.0.1:" + second.actualPort();
    assertThat(fetch(secondBase + oldPath, Map.of()).statusCode()).as("cached on the second gateway").isEqualTo(200);

    var rotated = bob.post("/api/me/feed-token", "{}");
    assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
    var after = rotated.json().getString("library_feed_url");
    assertThat(after).isNotEqualTo(before);

    Waits.until(Duration.ofSeconds(5), "the revocation announced", () -> status(secondBase + oldPath) == 404);
    assertThat(fetch(before, Map.of()).statusCode()).isEqualTo(404);
    assertThat(fetch(after, Map.of()).statusCode()).isEqualTo(200);
    assertThat(fetch(secondBase + after.substring(after.indexOf("/feeds/")), Map.of()).statusCode()).isEqualTo(200);
    assertThat(libraryUrl(bob)).isEqualTo(after);
  }

  @Test
  @DisplayName("naming templates: bad ones answer 400 naming the field, only an admin may set one, and a change renames the files while the feed keeps serving them")
  void templatesRenameTheFiles() throws Exception {
    var path = "/api/podcasts/" + podcastId;
    for (var bad : new String[][] {
        {"file_template", "{date} {bogus}", "file_template: unknown field {bogus}"},
        {"file_template", "../{title}", "file_template must name one file or folder"},
        {"file_template", "..{title}", "file_template must not contain '..'"},
        {"folder_template", "{title}", "folder_template: {title} is an episode's field"},
        {"file_template", "plain", "file_template must use at least one field"}}) {
      var answer = admin.call("PUT", path, new JsonObject().put(bad[0], bad[1]).encode());
      assertThat(answer.status()).as(bad[1]).isEqualTo(400);
      assertThat(answer.json().getString("message")).as(bad[1]).startsWith(bad[2]);
    }
    var refused = bob.call("PUT", path, new JsonObject().put("file_template", "{title}").encode());
    assertThat(refused.status()).isEqualTo(403);

    var changed = admin.call("PUT", path, new JsonObject().put("folder_template", "{author} - {podcast}")
        .put("file_template", "{episode} {title} [{guid8}]").encode());
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().getString("file_template")).isEqualTo("{episode} {title} [{guid8}]");
    var renamed = admin.get("/api/runs?type=rename_library").json().getJsonArray("runs").getJsonObject(0);
    var run = admin.awaitRun(renamed.getString("id"), "completed", Duration.ofSeconds(30));
    assertThat(run.getJsonObject("result").getInteger("files_renamed")).isEqualTo(2);
    assertThat(run.getJsonObject("result").getInteger("folders_moved")).isEqualTo(1);

    var podcast = bob.get(path).json();
    assertThat(podcast.getString("folder")).isEqualTo("Lib Rarian - Library Hour");
    var episodes = bob.get(path + "/episodes").json().getJsonArray("episodes");
    var newest = episodes.getJsonObject(0);
    assertThat(newest.getString("file_path")).matches("Lib Rarian - Library Hour/2 Second & newest \\[[0-9a-f]{8}\\]\\.mp3");
    for (var e : episodes) {
      var file = library.resolve(((JsonObject) e).getString("file_path"));
      assertThat(file).exists();
      assertThat(fetch(((JsonObject) e).getString("library_media_url"), Map.of()).body())
          .isEqualTo(Files.readAllBytes(file));
    }
    assertThat(library.resolve("Library Hour")).doesNotExist();
    assertThat(library.resolve("Lib Rarian - Library Hour/cover.png")).exists();
  }
}
