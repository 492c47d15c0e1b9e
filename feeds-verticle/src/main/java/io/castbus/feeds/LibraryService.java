package io.castbus.feeds;

import static io.castbus.common.queue.RunJson.time;

import io.castbus.common.ServiceError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * What the personal feeds served back out list (the gateway writes them as RSS): a library is one user's podcasts
 * (and, for an admin, the ownerless ones) with their downloaded episodes. Requests carry the token owner as
 * {@code owner_id} and {@code admin}; anything outside that library is answered as not found.
 */
final class LibraryService {

  /** A feed lists at most this many episodes, the newest. */
  static final int MAX_EPISODES = 5_000;

  private final Pool pool;

  LibraryService(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> feed(JsonObject req) {
    var owner = req.getLong("owner_id");
    var admin = req.getBoolean("admin", false);
    var podcast = req.getLong("podcast_id");
    return pool.preparedQuery(FeedsSql.LIBRARY_PODCASTS)
        .execute(Tuple.of(owner, admin, podcast, PodcastService.MAX_PODCASTS)).compose(podcasts -> {
          if (podcast != null && podcasts.size() == 0) {
            return Future.failedFuture(ServiceError.notFound("no podcast with id " + podcast + " in this library"));
          }
          var list = new JsonArray();
          podcasts.forEach(p -> list.add(p.toJson()));
          return pool.preparedQuery(FeedsSql.LIBRARY_EPISODES)
              .execute(Tuple.of(owner, admin, podcast, MAX_EPISODES)).map(rows -> {
                var episodes = new JsonArray();
                rows.forEach(e -> episodes.add(e.toJson()
                    .put("published_at", time(e.getOffsetDateTime("published_at")))
                    .put("downloaded_at", time(e.getOffsetDateTime("downloaded_at")))));
                return new JsonObject().put("podcasts", list).put("episodes", episodes);
              });
        });
  }

  Future<JsonObject> cover(JsonObject req) {
    return one(FeedsSql.LIBRARY_COVER, req, "podcast_id", "no kept cover of podcast %d in this library");
  }

  Future<JsonObject> media(JsonObject req) {
    return one(FeedsSql.LIBRARY_MEDIA, req, "episode_id", "no downloaded episode %d in this library");
  }

  /** The one row {@code sql} finds for the library's {@code idField}, or not found ({@code missing}, with the id). */
  private Future<JsonObject> one(String sql, JsonObject req, String idField, String missing) {
    var id = req.getLong(idField);
    return pool.preparedQuery(sql).execute(Tuple.of(req.getLong("owner_id"), req.getBoolean("admin", false), id))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ServiceError.notFound(missing.formatted(id)))
            : Future.succeededFuture(rows.iterator().next().toJson()));
  }
}
