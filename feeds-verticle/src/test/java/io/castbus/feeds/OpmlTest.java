package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every real-world OPML list of {@code ../shared/opml} (sources and licenses in its SOURCES.md) read as an import does. */
@DisplayName("OPML: every real-world subscription list read to its feeds, or refused with a clear error")
class OpmlTest {

  /** File → "feeds/invalid" read, or "error". A new corpus file without a line here fails. */
  static final Map<String, String> EXPECTED = Map.ofEntries(
      Map.entry("anytime__opml_import_test1.opml", "0/1"),
      Map.entry("awesome-rss-feeds__Canada.opml", "10/0"),
      Map.entry("awesome-rss-feeds__Iran.opml", "7/0"),
      Map.entry("awesome-rss-feeds__Japan.opml", "8/0"),
      Map.entry("commafeed__opml_noversion.xml", "1/0"),
      Map.entry("feedbin__subscriptions.xml", "1/0"),
      Map.entry("holllo-opml__subscriptionList.opml", "13/0"),
      Map.entry("ianbarton-podcasts__podcasts_opml.xml", "67/0"),
      Map.entry("listparser__concatenated-documents.xml", "error"),
      Map.entry("listparser__end-element-missing.xml", "error"),
      Map.entry("listparser__html-entity-attribute.xml", "2/0"),
      Map.entry("listparser__outline_xmlUrl-miscapitalized.xml", "1/0"),
      Map.entry("mrh-is-podcasts__overcast.opml", "59/0"),
      Map.entry("netnewswire__Subs.opml", "207/0"),
      Map.entry("newsboat__example.opml", "7/0"),
      Map.entry("newsboat__opml-element-missing.opml", "error"),
      Map.entry("newsboat__piped.opml", "1/1"),
      Map.entry("node-opmlparser__malformed.opml", "error"),
      Map.entry("opml-go__newsblur.opml", "5/0"),
      Map.entry("opml-parser__badsample01.opml", "error"),
      Map.entry("opml-parser__digitalPodcast.opml", "0/0"),
      Map.entry("opml-parser__github_issue_3_body.opml", "5/0"),
      Map.entry("rome__opml_1.0_links.xml", "0/0"),
      Map.entry("rome__opml_2.0.xml", "11/0"),
      Map.entry("stringer__subscriptions.xml", "91/0"));

  static Stream<String> corpus() throws Exception {
    return FeedServer.corpus(FeedServer.OPML).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("each OPML corpus file has its asserted outcome")
  void outcome(String file) throws Exception {
    assertThat(EXPECTED).as("expected outcome for the OPML corpus file " + file).containsKey(file);
    var bytes = Files.readAllBytes(FeedServer.OPML.resolve(file));
    var expected = EXPECTED.get(file);
    if (expected.equals("error")) {
      var error = catchThrowableOfType(RunFailure.class, () -> Opml.read(bytes, null));
      assertThat(error).as(file + " must be refused").isNotNull();
      assertThat(error.code()).isEqualTo("invalid_opml");
      assertThat(error.getMessage()).containsAnyOf("line ", "no <opml> element");
      return;
    }
    var read = Opml.read(bytes, null);
    assertThat(read.feeds().size() + "/" + read.invalid().size()).isEqualTo(expected);
    assertThat(read.feeds()).allSatisfy(f -> assertThat(f.xmlUrl()).matches("(?i)https?://.+"));
  }

  @Test
  @DisplayName("every expectation names a file still in the corpus")
  void noStaleExpectations() throws Exception {
    assertThat(corpus().toList()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  @Test
  @DisplayName("a written list reads back to the same feeds, titles with markup and quotes included")
  void roundTrip() {
    var feeds = List.of(new Opml.Outline("Tom & Jerry's \"<Show>\"", "https://example.org/a.xml", "https://example.org/"),
        new Opml.Outline(null, "https://example.org/b.xml?x=1&y=2", null));
    var read = Opml.read(Opml.write("Castbus", feeds).getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
    assertThat(read.feeds()).containsExactly(feeds.get(0),
        new Opml.Outline("https://example.org/b.xml?x=1&y=2", "https://example.org/b.xml?x=1&y=2", null));
  }

  @Test
  @DisplayName("a DOCTYPE in an OPML list is refused")
  void doctypeRefused() {
    var hostile = """
        <?xml version="1.0"?>
        <!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://example.org/feed"/></body></opml>
        """;
    var error = catchThrowableOfType(RunFailure.class, () -> Opml.read(hostile.getBytes(), null));
    assertThat(error.code()).isEqualTo("doctype_refused");
  }
}
