package io.castbus.feeds;

import java.time.Instant;
import java.util.List;

/**
 * A feed as read: the podcast's own fields, its items in feed order, and where it says it moved to
 * ({@code itunes:new-feed-url}, or a legacy {@code <redirect><newLocation>} document), if anywhere.
 */
record ParsedFeed(
    String title, String description, String siteUrl, String imageUrl, String author, String language,
    String newFeedUrl, List<Item> items) {

  /**
   * One item of a feed; URLs are trimmed and absolute (resolved against the final feed URL). {@code imageUrl} is the
   * episode's own artwork ({@code itunes:image}), the numbers its {@code itunes:episode} and {@code itunes:season}.
   */
  record Item(
      String guid, String title, String description, String link, Instant publishedAt, Integer durationSeconds,
      String enclosureUrl, String enclosureType, Long enclosureLength, String imageUrl, Integer episodeNumber,
      Integer seasonNumber) {
  }

  boolean isRedirectOnly() {
    return newFeedUrl != null && title == null && items.isEmpty();
  }
}
