package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.castbus.common.net.NetworkPolicy;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the shared feed corpus ({@code ../shared/feeds}, sources and licenses in its SOURCES.md), served by a
 * loopback HTTP server, fetched and read as a refresh does: a number of episodes, or a clear error.
 */
@DisplayName("The feed corpus: every real-world file read to a known number of episodes, or refused with a clear error")
class FeedCorpusTest {

  /** File → episodes stored, "error:<code>" or "moved:<url>". A new corpus file without a line here fails. */
  static final Map<String, String> EXPECTED = Map.ofEntries(
      Map.entry("atom__feedparser__atomsimplechapter.xml", "1"),
      Map.entry("atom__podcastparser__atom_relative_cover.rss", "0"),
      Map.entry("atom__rome-modules__psc-atom.xml", "1"),
      Map.entry("atom__rome__atom_1.0.xml", "2"),
      Map.entry("bad__RSS-Parser__feed-mismatched-html-tags.xml", "1"),
      Map.entry("bad__RSS-Parser__feed-test-malformed.xml", "1"),
      Map.entry("bad__RSS-Parser__feed-test-xsl.xml", "2"),
      Map.entry("bad__castero__broken_no_channel.xml", "error:not_a_feed"),
      Map.entry("bad__feedparser__aaa_illformed.xml", "error:invalid_xml"),
      Map.entry("bad__feedparser__rss_empty_document.xml", "error:invalid_xml"),
      Map.entry("bad__feedparser__rss_incomplete_cdata.xml", "error:invalid_xml"),
      Map.entry("bad__feedparser__undeclared_namespace.xml", "0"),
      Map.entry("bad__podcast-feed-parser__bc-sample-bad.xml", "error:invalid_xml"),
      Map.entry("bad__podcastparser__itunes_no_xmlns.rss", "1"),
      Map.entry("bad__truncated__neo4j-cut-at-40pct.xml", "error:invalid_xml"),
      Map.entry("enc__derived-rtve__iso-8859-1.xml", "6"),
      Map.entry("enc__derived-rtve__latin1-bytes-declared-utf8.xml", "6"),
      Map.entry("enc__derived-rtve__utf-16be-nobom.xml", "6"),
      Map.entry("enc__derived-rtve__utf-16le-bom.xml", "6"),
      Map.entry("enc__derived-rtve__utf-8-bom.xml", "6"),
      Map.entry("enc__feedparser__bozo_invalid-bytes-with-bom.xml", "error:invalid_xml"),
      Map.entry("enc__feedparser__utf-32le-bom.xml", "error:not_a_feed"),
      Map.entry("enc__miniflux__encoding_ISO-8859-1.xml", "40"),
      Map.entry("enc__miniflux__encoding_WINDOWS-1251.xml", "50"),
      Map.entry("enc__miniflux__no_encoding_ISO-8859-1.xml", "10"),
      Map.entry("enc__miniflux__windows-1252-incorrect-prolog.xml", "0"),
      Map.entry("enc__rss-parser__encoding.rss", "40"),
      Map.entry("guid__podcastparser__no_guid.rss", "1"),
      Map.entry("guid__podcastparser__no_permalink.rss", "1"),
      Map.entry("hostile__feedparser__always_strip_doctype.xml", "error:doctype_refused"),
      Map.entry("hostile__feedparser__doctype_contains_entity_decl.xml", "error:doctype_refused"),
      Map.entry("hostile__feedparser__entity_in_doctype.xml", "error:doctype_refused"),
      Map.entry("hostile__rome-derived__billion-laughs.xml", "error:doctype_refused"),
      Map.entry("hostile__rome-derived__xxe-file-passwd.xml", "error:doctype_refused"),
      Map.entry("itunes__RSS-Parser__feed-itunes.xml", "1"),
      Map.entry("itunes__RSS-Parser__feed-test-charset.xml", "1"),
      Map.entry("itunes__castero__valid_mixed_enclosures.xml", "3"),
      Map.entry("itunes__castero__valid_two_channels.xml", "2"),
      Map.entry("itunes__node-podcast-parser__apple-example.xml", "3"),
      Map.entry("itunes__node-podcast-parser__coding-blocks.xml", "83"),
      Map.entry("itunes__node-podcast-parser__complex-genre.xml", "0"),
      Map.entry("itunes__node-podcast-parser__libsyn-example-podcast.xml", "6"),
      Map.entry("itunes__node-podcast-parser__neo4j.xml", "54"),
      Map.entry("itunes__node-podcast-parser__rtve-podcast.xml", "6"),
      Map.entry("itunes__podcast-feed-parser__bc-sample-new-feed-url.xml", "4"),
      Map.entry("itunes__podcast-feed-parser__bc-sample.xml", "4"),
      Map.entry("itunes__podcast_search__podcast1.rss", "2"),
      Map.entry("itunes__rss-parser__heraldsun.rss", "2"),
      Map.entry("itunes__rss-parser__itunes-missing-image.rss", "131"),
      Map.entry("itunes__rss-parser__pagination-links.rss", "1"),
      Map.entry("large__node-podcast-parser__se-radio.xml", "249"),
      Map.entry("large__partytime__sentimental-garbage.xml", "138"),
      Map.entry("large__rss-parser__giantbomb-podcast.rss", "730"),
      Map.entry("move__podcastparser__new_feed_url.rss", "0"),
      Map.entry("move__podcastparser__paged_feed.rss", "0"),
      Map.entry("move__podcastparser__redirect_new_location.rss", "moved:http://weblog.infoworld.com/udell/rss.xml"),
      Map.entry("pc20__partytime__no-agenda.xml", "29"),
      Map.entry("pc20__partytime__pc20rss.xml", "56"),
      Map.entry("pc20__podcast-namespace__example.xml", "3"),
      Map.entry("pc20__podcast_search__podcast-alternate-enclosure.rss", "2"),
      Map.entry("pc20__podcastparser__episode_podcast_chapters.rss", "1"),
      Map.entry("pc20__podcastparser__episode_podcast_person.rss", "1"),
      Map.entry("pc20__podcastparser__episode_podcast_transcript.rss", "1"),
      Map.entry("pc20__podcastparser__podcast_funding.rss", "0"),
      Map.entry("relurl__podcastparser__leading_space_url.rss", "1"),
      Map.entry("relurl__podcastparser__multi_enclosures.rss", "1"),
      Map.entry("relurl__podcastparser__no_url.rss", "0"),
      Map.entry("relurl__podcastparser__relative.rss", "1"));

  static Vertx vertx;
  static FeedServer server;
  static FeedFetcher fetcher;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = new FeedServer(vertx);
    // The product's own timeouts and size cap: this class reads the corpus as a refresh does and tests no timeout.
    fetcher = new FeedFetcher(vertx, new NetworkPolicy(true), FetchOptions.DEFAULTS);
  }

  @AfterAll
  static void stop() throws Exception {
    fetcher.close().await(10, TimeUnit.SECONDS);
    server.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Stream<String> corpus() throws Exception {
    return FeedServer.corpus(FeedServer.FEEDS).stream();
  }

  /** Fetches a corpus file from the loopback server and reads it as a refresh does. */
  static ParsedFeed read(String file) throws Exception {
    var fetched = fetcher.fetch(server.url("/feeds/" + file), FeedFetcher.Validators.NONE).await(30, TimeUnit.SECONDS);
    return vertx.executeBlocking(() -> FeedParser.parse(fetched.body(), fetched.charset(), fetched.finalUrl()))
        .await(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("each corpus file has its asserted outcome")
  void outcome(String file) throws Exception {
    assertThat(EXPECTED).as("expected outcome for the corpus file " + file).containsKey(file);
    var expected = EXPECTED.get(file);
    if (expected.startsWith("error:")) {
      var error = catchThrowableOfType(RunFailure.class, () -> read(file));
      assertThat(error).as(file + " must be refused").isNotNull();
      assertThat(error.code()).as(error.getMessage()).isEqualTo(expected.substring(6));
      assertThat(error.permanent()).isTrue();
      assertThat(error.getMessage()).isNotBlank();
      if (error.code().equals("invalid_xml")) {
        assertThat(error.getMessage()).as("names the line").containsPattern("line \\d+, column \\d+");
      }
      return;
    }
    var feed = read(file);
    if (expected.startsWith("moved:")) {
      assertThat(feed.isRedirectOnly()).isTrue();
      assertThat(feed.newFeedUrl()).isEqualTo(expected.substring(6));
      return;
    }
    assertThat(EpisodeKeys.of(feed.items()).episodes()).as(file).hasSize(Integer.parseInt(expected));
  }

  @Test
  @DisplayName("every expectation names a file still in the corpus")
  void noStaleExpectations() throws Exception {
    assertThat(corpus().toList()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  @Test
  @DisplayName("charsets: BOMs, UTF-16 without BOM, Latin-1 declared or not, and mislabeled UTF-8 all read as the text")
  void charsets() throws Exception {
    var title = "Tiempo de valientes. El diario de Julián Martínez";
    for (var file : List.of("enc__derived-rtve__iso-8859-1.xml", "enc__derived-rtve__latin1-bytes-declared-utf8.xml",
        "enc__derived-rtve__utf-16be-nobom.xml", "enc__derived-rtve__utf-16le-bom.xml",
        "enc__derived-rtve__utf-8-bom.xml", "itunes__node-podcast-parser__rtve-podcast.xml")) {
      assertThat(read(file).title()).as(file).isEqualTo(title);
    }
    assertThat(read("enc__miniflux__windows-1252-incorrect-prolog.xml").title()).isEqualTo("Euro €");
    assertThat(read("enc__miniflux__encoding_WINDOWS-1251.xml").items().get(0).title()).matches(".*\\p{IsCyrillic}.*");
    assertThat(read("enc__miniflux__no_encoding_ISO-8859-1.xml").title()).contains("Flux RSS du magazine");
  }

  @Test
  @DisplayName("enclosure URLs are trimmed and resolved against the final feed URL; media:content stands in for none")
  void enclosureUrls() throws Exception {
    var mediaOnly = "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>T</title>"
        + "<item><guid>g</guid><media:content url=\"a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
    assertThat(FeedParser.parse(mediaOnly.getBytes(java.nio.charset.StandardCharsets.UTF_8), null,
        "http://example.org/feeds/show.xml").items().get(0).enclosureUrl()).isEqualTo("http://example.org/feeds/a.mp3");
    assertThat(read("relurl__podcastparser__relative.rss").items().get(0).enclosureUrl())
        .isEqualTo(server.url("/feeds/example.mp3"));
    assertThat(read("relurl__podcastparser__leading_space_url.rss").items().get(0).enclosureUrl())
        .doesNotStartWith(" ").startsWith("http");
  }

  @Test
  @DisplayName("undeclared itunes: prefixes and undeclared HTML entities still read; itunes:new-feed-url is seen")
  void lenientWhereListenersExpectIt() throws Exception {
    assertThat(read("move__podcastparser__new_feed_url.rss").newFeedUrl()).isEqualTo("http://newlocation.com/example.rss");
    assertThat(read("bad__podcastparser__itunes_no_xmlns.rss").items().get(0).durationSeconds()).isNotNull();
    assertThat(read("pc20__partytime__no-agenda.xml").items()).hasSize(29);
  }

  @Test
  @DisplayName("a repeated GUID for a different episode keeps both; missing GUIDs fall back to the enclosure")
  void identities() throws Exception {
    var taverncast = EpisodeKeys.of(read("itunes__rss-parser__itunes-missing-image.rss").items());
    assertThat(taverncast.episodes()).hasSize(131);
    assertThat(taverncast.distinctDuplicates()).hasSize(1);
    var seRadio = EpisodeKeys.of(read("large__node-podcast-parser__se-radio.xml").items());
    assertThat(seRadio.episodes().stream().map(EpisodeKeys.Keyed::key).distinct()).hasSize(249);
  }

}
