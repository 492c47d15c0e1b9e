package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.Addresses;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Podcast search against loopback fakes answering the shapes the iTunes Search API and the Podcast Index API
 * document (iTunes: {@code resultCount}, {@code results[]} with {@code collectionName}, {@code artistName},
 * {@code feedUrl}, {@code artworkUrl600}, {@code trackCount}; Podcast Index: {@code status}, {@code feeds[]} with
 * {@code title}, {@code author}, {@code url}, {@code artwork}, {@code episodeCount}, and its signed headers).
 */
@DisplayName("Podcast search: iTunes and Podcast Index merged by feed URL, cached, each provider's failure named")
class SearchTest {

  static final String KEY = "PIKEY123";
  static final String SECRET = "pi-secret-value";
  static Vertx fakes;
  static HttpServer providers;
  static FeedsFixture fx;
  static final List<HttpServerRequest> seen = new CopyOnWriteArrayList<>();
  static final AtomicReference<Consumer<HttpServerRequest>> itunes = new AtomicReference<>();
  static final AtomicReference<Consumer<HttpServerRequest>> index = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    fakes = Vertx.vertx();
    providers = Waits.await(fakes.createHttpServer().requestHandler(req -> {
      seen.add(req);
      (req.path().startsWith("/itunes") ? itunes : index).get().accept(req);
    }).listen(0, "127.0.0.1"));
    var base = "http://127.0.0.1:" + providers.actualPort();
    fx = new FeedsFixture("feeds_search", Map.of("ITUNES_SEARCH_URL", base + "/itunes/search",
        "PODCASTINDEX_URL", base + "/pi/api/1.0", "PODCASTINDEX_KEY", KEY, "PODCASTINDEX_SECRET", SECRET));
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
    Waits.await(fakes.close());
  }

  @BeforeEach
  void answerWell() {
    seen.clear();
    itunes.set(req -> req.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
        .end(new JsonObject().put("resultCount", 2).put("results", new JsonArray()
            .add(new JsonObject().put("wrapperType", "track").put("kind", "podcast").put("collectionName", "Shared Show")
                .put("artistName", "Ann").put("feedUrl", "https://feeds.example/shared.xml")
                .put("artworkUrl600", "https://img.example/600.jpg").put("trackCount", 120))
            .add(new JsonObject().put("collectionName", "Only iTunes").put("artistName", "Bo")
                .put("feedUrl", "https://feeds.example/itunes.xml").put("artworkUrl100", "https://img.example/100.jpg")
                .put("trackCount", 3))).encode()));
    index.set(req -> req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "true").put("count", 2).put("feeds", new JsonArray()
            .add(new JsonObject().put("id", 1).put("title", "Shared Show").put("author", "Ann")
                .put("url", "http://feeds.example/shared.xml/").put("artwork", "https://img.example/pi.jpg")
                .put("episodeCount", 121))
            .add(new JsonObject().put("id", 2).put("title", "Only Index").put("author", "Cy")
                .put("url", "https://feeds.example/index.xml").put("episodeCount", 9))).encode()));
  }

  private static JsonObject search(String q) {
    return fx.call(Addresses.SEARCH_PODCASTS, new JsonObject().put("q", q).put("limit", 20));
  }

  @Test
  @DisplayName("results of both merged by feed URL; Podcast Index asked with its documented auth headers; cached for an hour")
  void mergedSignedCached() throws Exception {
    var answer = search("shared show");

    var results = answer.getJsonArray("results");
    assertThat(results.stream().map(r -> ((JsonObject) r).getString("title")))
        .containsExactly("Shared Show", "Only iTunes", "Only Index");
    var shared = results.getJsonObject(0);
    assertThat(shared.getString("source")).isEqualTo("itunes,podcastindex");
    assertThat(shared.getString("feed_url")).isEqualTo("https://feeds.example/shared.xml");
    assertThat(shared.getInteger("episode_count")).isEqualTo(120);
    assertThat(results.getJsonObject(1).getString("artwork_url")).isEqualTo("https://img.example/100.jpg");
    assertThat(answer.getJsonArray("errors")).isEmpty();

    var itunesAsked = seen.stream().filter(r -> r.path().equals("/itunes/search")).findFirst().orElseThrow();
    assertThat(itunesAsked.getParam("term")).isEqualTo("shared show");
    assertThat(itunesAsked.getParam("media")).isEqualTo("podcast");
    var indexAsked = seen.stream().filter(r -> r.path().equals("/pi/api/1.0/search/byterm")).findFirst().orElseThrow();
    assertThat(indexAsked.getParam("q")).isEqualTo("shared show");
    var date = indexAsked.getHeader("X-Auth-Date");
    assertThat(Long.parseLong(date)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(indexAsked.getHeader("X-Auth-Key")).isEqualTo(KEY);
    assertThat(indexAsked.getHeader("Authorization")).isEqualTo(HexFormat.of().formatHex(MessageDigest
        .getInstance("SHA-1").digest((KEY + SECRET + date).getBytes(StandardCharsets.UTF_8))));
    assertThat(indexAsked.getHeader("User-Agent")).startsWith("Castbus/");

    seen.clear();
    var again = search("Shared Show");
    assertThat(again.getBoolean("cached")).isTrue();
    assertThat(seen).as("no provider asked again within the hour").isEmpty();
  }

  @Test
  @DisplayName("a provider down or answering garbage is named in errors while the other's results are shown; both down: 502")
  void failuresNamed() {
    index.set(req -> req.response().setStatusCode(503).end());
    var partial = search("only down");
    assertThat(partial.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("source")))
        .containsOnly("itunes");
    assertThat(partial.getJsonArray("errors").getJsonObject(0).getString("source")).isEqualTo("podcastindex");
    assertThat(partial.getJsonArray("errors").getJsonObject(0).getString("message")).contains("503");

    itunes.set(req -> req.response().putHeader("Content-Type", "text/html").end("<html>not json</html>"));
    var none = fx.fails(Addresses.SEARCH_PODCASTS, new JsonObject().put("q", "all down").put("limit", 5));
    assertThat(none.status()).isEqualTo(502);
    assertThat(none.getMessage()).startsWith("no search provider answered:")
        .contains("itunes: itunes answered something that is not the JSON it documents").contains("podcastindex");
    assertThat(none.getMessage()).doesNotContain(SECRET).doesNotContain(KEY);
  }

  @Test
  @DisplayName("an empty query or one over 200 characters: 400")
  void badQueries() {
    assertThat(fx.fails(Addresses.SEARCH_PODCASTS, new JsonObject().put("q", " ")).status()).isEqualTo(400);
    var long_ = fx.fails(Addresses.SEARCH_PODCASTS, new JsonObject().put("q", "x".repeat(201)));
    assertThat(long_.status()).isEqualTo(400);
    assertThat(long_.getMessage()).isEqualTo("q must be 1 to 200 characters, got 201");
    assertThat(seen).isEmpty();
  }
}
