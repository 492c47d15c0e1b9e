package io.castbus.feeds;

import io.vertx.sqlclient.Row;

/** What a refresh needs to know of a podcast. */
record Podcast(long id, String owner, Long ownerId, String rssUrl, int maxEpisodesToKeep, boolean autoDownload, String etag,
    String lastModified, boolean everRefreshed) {

  static Podcast of(Row row) {
    return new Podcast(row.getLong("id"), row.getString("owner"), row.getLong("owner_id"), row.getString("rss_url"),
        row.getInteger("max_episodes_to_keep"), row.getBoolean("auto_download"), row.getString("etag"),
        row.getString("last_modified"), row.getOffsetDateTime("last_success") != null);
  }
}
