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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Writes what a feed read into the database, inside the caller's transaction: new and changed episodes upserted by
 * key (unchanged ones are compared by hash and not sent; an episode whose GUID changed but whose enclosure did not
 * keeps its row), the podcast's fields and validators, and — when the podcast auto-downloads — new episodes marked
 * {@code pending} with their {@code download_episode} runs; a feed with artwork also gets a {@code fetch_artwork}
 * run (a conditional GET: an unchanged image is not fetched again).
 */
final class EpisodeStore {

  static final int MAX_EPISODES = 100_000;

  /** What one stored feed changed. */
  record Stored(int items, int added, int updated, int repeated, int unidentifiable, List<String> distinctDuplicates,
      List<Long> queued, boolean artwork, String rssUrl) {

    /** The run types this store queued runs of: wake their workers once it commits. */
    List<String> queuedTypes() {
      var types = new ArrayList<String>(2);
      if (!queued.isEmpty()) {
        types.add(RunTypes.DOWNLOAD_EPISODE);
      }
      if (artwork) {
        types.add(RunTypes.FETCH_ARTWORK);
      }
      return types;
    }

    JsonObject toJson() {
      return new JsonObject().put("items", items).put("added", added).put("updated", updated)
          .put("repeated", repeated).put("unidentifiable", unidentifiable)
          .put("duplicate_guids", new JsonArray(new ArrayList<>(distinctDuplicates)))
          .put("queued_downloads", queued.size()).put("rss_url", rssUrl);
    }
  }

  private record Known(long id, String guid, String enclosureUrl, Long hash) {
  }

  private record Written(long id, boolean inserted, Instant publishedAt, boolean downloadable, String title,
      Integer duration, String guid, String enclosureUrl) {

    JsonObject toJson() {
      return new JsonObject().put("id", id).put("title", title).put("guid", guid)
          .put("published_at", publishedAt == null ? null : publishedAt.toString()).put("enclosure_url", enclosureUrl);
    }
  }

  private EpisodeStore() {
  }

  /**
   * Stores a feed read for podcast {@code p}; {@code movedTo} is its new URL when it moved. Runs created are
   * inserted in the transaction: wake the workers once it commits.
   */
  static Future<Stored> store(SqlConnection conn, Podcast p, ParsedFeed feed, FeedFetcher.Fetched fetched,
      String movedTo) {
    return store(conn, p, feed, fetched, movedTo, false);
  }

  /**
   * As above; on a refresh (not a podcast's first read), each new episode is also {@code episode_new} news for the
   * subscribers who asked for it, and for WEBHOOK_URL when {@code adminNews}.
   */
  static Future<Stored> store(SqlConnection conn, Podcast p, ParsedFeed feed, FeedFetcher.Fetched fetched,
      String movedTo, boolean adminNews) {
    var keys = EpisodeKeys.of(feed.items());
    var written = new ArrayList<Written>();
    return conn.preparedQuery(FeedsSql.KNOWN_EPISODES).execute(Tuple.of(p.id(), MAX_EPISODES))
        .compose(known -> {
          var byGuid = new HashMap<String, Known>();
          var byEnclosure = new HashMap<String, Known>();
          for (var row : known) {
            var k = new Known(row.getLong("id"), row.getString("guid"), row.getString("enclosure_url"),
                row.getLong("content_hash"));
            byGuid.put(k.guid(), k);
            if (k.enclosureUrl() != null) {
              byEnclosure.putIfAbsent(k.enclosureUrl(), k);
            }
          }
          var incoming = new HashSet<String>();
          keys.episodes().forEach(keyed -> incoming.add(keyed.key()));
          var rows = new JsonArray();
          var rekeys = new JsonArray();
          var rekeyed = new HashSet<Long>();
          for (var keyed : keys.episodes()) {
            var i = keyed.item();
            var hash = hash(i);
            var same = byGuid.get(keyed.key());
            if (same != null) {
              if (!Objects.equals(same.hash(), hash)) {
                rows.add(row(keyed, hash, rows.size()));
              }
              continue;
            }
            var moved = i.enclosureUrl() == null ? null : byEnclosure.get(i.enclosureUrl());
            if (moved != null && !incoming.contains(moved.guid()) && rekeyed.add(moved.id())) {
              rekeys.add(new JsonObject().put("id", moved.id()).put("guid", keyed.key()));
            }
            rows.add(row(keyed, hash, rows.size()));
          }
          Future<?> rekey = rekeys.isEmpty() ? Future.succeededFuture()
              : conn.preparedQuery(FeedsSql.REKEY).execute(Tuple.of(p.id(), rekeys));
          return rekey.compose(v -> rows.isEmpty() ? Future.succeededFuture(List.<Written>of())
              : conn.preparedQuery(FeedsSql.UPSERT_EPISODES).execute(Tuple.of(p.id(), rows)).map(result -> {
                for (var row : result) {
                  var published = row.getOffsetDateTime("published_at");
                  written.add(new Written(row.getLong("id"), row.getBoolean("inserted"),
                      published == null ? null : published.toInstant(), row.getBoolean("downloadable"),
                      row.getString("title"), row.getInteger("duration_s"), row.getString("guid"),
                      row.getString("enclosure_url")));
                }
                return written;
              }));
        })
        .compose(w -> !p.everRefreshed() ? Future.<Void>succeededFuture() : news(conn, p, written, adminNews))
        .compose(w -> queueDownloads(conn, p, written))
        .compose(queued -> feed.imageUrl() == null ? Future.succeededFuture(queued)
            : RunQueue.insert(conn, List.of(RunTypes.artwork(p.id()).owner(p.owner(), p.ownerId()))).map(queued))
        .compose(queued -> conn.preparedQuery(FeedsSql.REFRESHED).execute(Tuple.from(new Object[] {
                p.id(), feed.title(), feed.description(), feed.siteUrl(), feed.imageUrl(), feed.author(),
                feed.language(), fetched.etag(), fetched.lastModified(), movedTo}))
            .map(updated -> {
              var added = (int) written.stream().filter(Written::inserted).count();
              return new Stored(keys.episodes().size(), added, written.size() - added, keys.repeated(),
                  keys.unidentifiable(), keys.distinctDuplicates(), queued, feed.imageUrl() != null,
                  updated.iterator().next().getString("rss_url"));
            }));
  }

  private static JsonObject row(EpisodeKeys.Keyed keyed, long hash, int n) {
    var i = keyed.item();
    return new JsonObject()
        .put("n", n)
        .put("guid", keyed.key())
        .put("title", i.title())
        .put("description", i.description())
        .put("published_at", i.publishedAt() == null ? null : i.publishedAt().toString())
        .put("duration_s", i.durationSeconds())
        .put("enclosure_url", i.enclosureUrl())
        .put("enclosure_type", i.enclosureType())
        .put("enclosure_length", i.enclosureLength())
        .put("image_url", i.imageUrl())
        .put("episode_number", i.episodeNumber())
        .put("season_number", i.seasonNumber())
        .put("content_hash", hash);
  }

  /**
   * A 64-bit FNV-1a hash of everything stored of an item, to tell a changed episode from an unchanged one. The
   * artwork and numbers are mixed in only when the item has them, so an item without them keeps the hash it had
   * before they were stored.
   */
  static long hash(ParsedFeed.Item i) {
    var h = 0xcbf29ce484222325L;
    for (var field : new Object[] {i.title(), i.description(), i.publishedAt(), i.durationSeconds(),
        i.enclosureUrl(), i.enclosureType(), i.enclosureLength()}) {
      h = mix(h, field == null ? "\u0001" : field.toString());
    }
    var extra = new Object[] {i.imageUrl(), i.episodeNumber(), i.seasonNumber()};
    for (var k = 0; k < extra.length; k++) {
      if (extra[k] != null) {
        h = mix(h, k + ":" + extra[k]);
      }
    }
    return h;
  }

  private static long mix(long h, String s) {
    for (var k = 0; k < s.length(); k++) {
      h ^= s.charAt(k);
      h *= 0x100000001b3L;
    }
    h ^= 0xffff;
    h *= 0x100000001b3L;
    return h;
  }

  /** Each new episode as {@code episode_new} news. */
  private static Future<Void> news(SqlConnection conn, Podcast p, List<Written> written, boolean admin) {
    Future<Void> chain = Future.succeededFuture();
    for (var w : written) {
      if (w.inserted()) {
        chain = chain.compose(v -> io.castbus.common.Notifications.episode(conn,
            io.castbus.common.Notifications.EPISODE_NEW, p.id(), w.toJson(), null, admin));
      }
    }
    return chain;
  }

  /**
   * The new downloadable episodes each auto-downloading subscription wants (its filters and retention decide, see
   * {@link Choices#wanted}), marked pending with a download run each, owned by the first subscriber who wants it.
   */
  private static Future<List<Long>> queueDownloads(SqlConnection conn, Podcast p, List<Written> written) {
    var candidates = written.stream().filter(w -> w.inserted() && w.downloadable())
        .map(w -> new Choices.Candidate(w.id(), w.title(), w.duration(), w.publishedAt())).toList();
    if (!p.autoDownload() || candidates.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return want(conn, p.id(), candidates);
  }

  /** Marks what the feed's auto-downloading subscriptions want of {@code candidates} pending, and queues it. */
  static Future<List<Long>> want(SqlConnection conn, long feed, List<Choices.Candidate> candidates) {
    return conn.preparedQuery(FeedsSql.AUTO_SUBSCRIPTIONS).execute(Tuple.of(feed)).compose(subscriptions -> {
      var owners = new java.util.LinkedHashMap<Long, Object[]>();
      var now = Instant.now();
      for (var s : subscriptions) {
        var choices = Choices.of(s.getJsonObject("filters"), s.getString("retention_mode"),
            s.getInteger("max_episodes_to_keep"), s.getInteger("retention_days"));
        for (var id : choices.wanted(candidates, now)) {
          owners.putIfAbsent(id, new Object[] {s.getString("owner"), s.getLong("owner_id")});
        }
      }
      if (owners.isEmpty()) {
        return Future.succeededFuture(List.<Long>of());
      }
      return conn.preparedQuery(FeedsSql.MARK_PENDING).execute(Tuple.of((Object) owners.keySet().toArray(new Long[0])))
          .compose(marked -> {
            var ids = new ArrayList<Long>();
            marked.forEach(row -> ids.add(row.getLong("id")));
            var runs = ids.stream().map(id -> RunTypes.download(id)
                .owner((String) owners.get(id)[0], (Long) owners.get(id)[1])).toList();
            return RunQueue.insert(conn, runs).map(created -> (List<Long>) ids);
          });
    });
  }
}
