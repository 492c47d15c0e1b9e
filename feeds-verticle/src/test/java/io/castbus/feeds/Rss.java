package io.castbus.feeds;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Small RSS 2.0 podcast feeds for tests: episode n is published on day n, so a higher n is newer. */
final class Rss {

  static final Instant BASE = Instant.parse("2026-11-01T06:00:00Z");

  private Rss() {
  }

  /** A feed of episodes {@code from..to} (newest first), guid "ep-n", enclosure {@code <media>/ep-n.mp3}. */
  static String feed(String title, String media, int from, int to) {
    var items = new StringBuilder();
    for (var n = to; n >= from; n--) {
      items.append(item("ep-" + n, "Episode " + n, n, media + "/ep-" + n + ".mp3"));
    }
    return feed(title, items.toString());
  }

  static String feed(String title, String items) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
        <channel>
        <title>%s</title>
        <link>https://example.org/</link>
        <description>A test podcast</description>
        %s
        </channel>
        </rss>
        """.formatted(title, items);
  }

  static String item(String guid, String title, int n, String enclosure) {
    var date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        BASE.minus(1000 - n, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
    return """
        <item><guid isPermaLink="false">%s</guid><title>%s</title><pubDate>%s</pubDate>
        <itunes:duration>12:34</itunes:duration>
        <enclosure url="%s" length="1234" type="audio/mpeg"/></item>
        """.formatted(guid, title, date, enclosure);
  }
}
