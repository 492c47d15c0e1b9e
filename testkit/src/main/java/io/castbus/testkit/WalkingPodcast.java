package io.castbus.testkit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Seed 000's walk-through podcast: episodes 1..n, each 256 KiB of audio that differs from every other's. */
public final class WalkingPodcast {

  public static final int EPISODE_BYTES = 256 * 1024;

  private WalkingPodcast() {
  }

  /** Episode k's audio. */
  public static byte[] audio(int k) {
    var bytes = new byte[EPISODE_BYTES];
    for (var i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + k * 17);
    }
    return bytes;
  }

  /**
   * The feed of episodes 1..n, newest first, episode k published k days after a fixed date, its enclosure at
   * {@code <base>/walk-<k>.mp3}.
   */
  public static String feed(String base, int n) {
    var items = new StringBuilder();
    for (var k = n; k >= 1; k--) {
      var date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.parse("2026-01-01T08:00:00Z")
          .plus(k, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC));
      items.append("<item><guid>walk-").append(k).append("</guid><title>Walk ").append(k).append("</title><pubDate>")
          .append(date).append("</pubDate><enclosure url=\"").append(base).append("/walk-").append(k)
          .append(".mp3\" length=\"").append(EPISODE_BYTES).append("\" type=\"audio/mpeg\"/></item>\n");
    }
    return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Walking Podcast</title>\n" + items
        + "</channel></rss>";
  }
}
