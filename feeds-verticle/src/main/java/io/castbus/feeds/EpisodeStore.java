package io.castbus.feeds;

import io.castbus.common.RunTypes;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes what a feed read into the database, inside the caller's transaction: episodes upserted by key (an
 * episode whose GUID changed but whose enclosure did not keeps its row), the podcast's fields and validators, and
 * — when the podcast auto-downloads — new episodes marked {@code pending} with their {@code download_episode} runs.
 */
final class EpisodeStore {

  /** What one stored feed changed. */
  record Stored(int items, int added, int updated, int repeated, int unidentifiable, List<String> distinctDuplicates,
      List<Long> queued, String rssUrl) {

    JsonObject toJson() {
      return new JsonObject().put("items", items).put("added", added).put("updated", updated)
          .put("repeated", repeated).put("unidentifiable", unidentifiable)
          .put("duplicate_guids", new JsonArray(new ArrayList<>(distinctDuplicates)))
          .put("queued_downloads", queued.size()).put("rss_url", rssUrl);
    }
  }

  private record Written(long id, boolean inserted, Instant publishedAt, boolean downloadable) {
  }

  private EpisodeStore() {
  }

  /**
   * Stores a feed read for podcast {@code p}; {@code movedTo} is its new URL when it moved. Runs created are
   * inserted in the transaction: wake the workers once it commits.
   */
  static Future<Stored> store(SqlConnection conn, Podcast p, ParsedFeed feed, FeedFetcher.Fetched fetched,
      String movedTo) {
    var keys = EpisodeKeys.of(feed.items());
    var rows = new JsonArray(new ArrayList<>(keys.episodes().size()));
    var identities = new JsonArray(new ArrayList<>(keys.episodes().size()));
    for (var keyed : keys.episodes()) {
      var i = keyed.item();
      identities.add(new JsonObject().put("guid", keyed.key()).put("enclosure_url", i.enclosureUrl()));
      rows.add(new JsonObject()
          .put("n", rows.size())
          .put("guid", keyed.key())
          .put("title", i.title())
          .put("description", i.description())
          .put("published_at", i.publishedAt() == null ? null : i.publishedAt().toString())
          .put("duration_s", i.durationSeconds())
          .put("enclosure_url", i.enclosureUrl())
          .put("enclosure_type", i.enclosureType())
          .put("enclosure_length", i.enclosureLength()));
    }
    var written = new ArrayList<Written>();
    return conn.preparedQuery(FeedsSql.REKEY_BY_ENCLOSURE).execute(Tuple.of(p.id(), identities))
        .compose(v -> conn.preparedQuery(FeedsSql.UPSERT_EPISODES).execute(Tuple.of(p.id(), rows)))
        .compose(result -> {
          for (var row : result) {
            var published = row.getOffsetDateTime("published_at");
            written.add(new Written(row.getLong("id"), row.getBoolean("inserted"),
                published == null ? null : published.toInstant(), row.getBoolean("downloadable")));
          }
          return queueDownloads(conn, p, written);
        })
        .compose(queued -> conn.preparedQuery(FeedsSql.REFRESHED).execute(Tuple.from(new Object[] {
                p.id(), feed.title(), feed.description(), feed.siteUrl(), feed.imageUrl(), feed.author(),
                feed.language(), fetched.etag(), fetched.lastModified(), movedTo}))
            .map(updated -> {
              var added = (int) written.stream().filter(Written::inserted).count();
              return new Stored(keys.episodes().size(), added, written.size() - added, keys.repeated(),
                  keys.unidentifiable(), keys.distinctDuplicates(), queued,
                  updated.iterator().next().getString("rss_url"));
            }));
  }

  /** The newest {@code max_episodes_to_keep} of the new downloadable episodes, when the podcast auto-downloads. */
  private static Future<List<Long>> queueDownloads(SqlConnection conn, Podcast p, List<Written> written) {
    if (!p.autoDownload()) {
      return Future.succeededFuture(List.of());
    }
    var wanted = written.stream()
        .filter(w -> w.inserted() && w.downloadable())
        .sorted(Comparator.comparing(Written::publishedAt, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(Written::id, Comparator.reverseOrder()))
        .limit(p.maxEpisodesToKeep())
        .map(Written::id)
        .toArray(Long[]::new);
    if (wanted.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(FeedsSql.MARK_PENDING).execute(Tuple.of(wanted)).compose(marked -> {
      var ids = new ArrayList<Long>();
      marked.forEach(row -> ids.add(row.getLong("id")));
      var runs = ids.stream().map(id -> RunTypes.download(id).owner(p.owner())).toList();
      return RunQueue.insert(conn, runs).map(created -> ids);
    });
  }
}
