package io.castbus.feeds;

import io.castbus.common.RunTypes;
import io.castbus.common.ServiceError;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The back catalogue: {@code POST /api/podcasts/{id}/download-all} queues every episode of the podcast not
 * downloaded yet (the newest {@code limit}, those the subscription's filters let in unless {@code ignore_filters})
 * as one {@code download_all} run with a {@code download_episode} child each, in one transaction; the children go
 * through the usual caps (cluster-wide and per server). The parent follows its children, with their progress, and
 * ends when they all have; cancelling it cancels those not ended.
 */
final class BackCatalogue {

  static final int MAX = EpisodeStore.MAX_EPISODES;
  private static final long POLL_MS = 1_000;

  private final Vertx vertx;
  private final Pool pool;
  private final RunQueue queue;

  BackCatalogue(Vertx vertx, Pool pool, RunQueue queue) {
    this.vertx = vertx;
    this.pool = pool;
    this.queue = queue;
  }

  /** Queues the back catalogue of the subscription {@code row} (already checked to be the caller's). */
  Future<JsonObject> queue(JsonObject req, Row row) {
    var limit = req.getValue("limit");
    if (limit != null && (!(limit instanceof Number n) || n.longValue() < 1 || n.longValue() > MAX)) {
      return Future.failedFuture(ServiceError.badRequest("limit must be a whole number from 1 to " + MAX + ", got "
          + limit));
    }
    var ignoreFilters = req.getBoolean("ignore_filters", false);
    var filters = ignoreFilters ? Choices.Filters.NONE : Choices.filters(row.getJsonObject("filters"));
    var feed = row.getLong("podcast_id");
    var owner = req.getString("owner");
    var ownerId = req.getLong("owner_id");
    var parent = NewRun.of(RunTypes.DOWNLOAD_ALL, new JsonObject().put("podcast_id", feed)
        .put("subscription_id", row.getLong("id"))).owner(owner, ownerId);
    return pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.BACK_CATALOGUE).execute(Tuple.of(feed, MAX))
        .compose(rows -> {
          var wanted = new ArrayList<Long>();
          var max = limit == null ? MAX : ((Number) limit).intValue();
          for (var e : rows) {
            var published = e.getOffsetDateTime("published_at");
            if (wanted.size() < max && filters.rejects(e.getString("title"), e.getInteger("duration_s"),
                published == null ? null : published.toInstant()) == null) {
              wanted.add(e.getLong("id"));
            }
          }
          return conn.preparedQuery(FeedsSql.WANT_AGAIN).execute(Tuple.of((Object) wanted.toArray(new Long[0])));
        })
        .compose(marked -> RunQueue.insert(conn, List.of(parent)).compose(ids -> {
          var parentId = ids.get(0);
          var children = new ArrayList<NewRun>();
          marked.forEach(e -> children.add(RunTypes.download(e.getLong("id")).owner(owner, ownerId).parent(parentId)));
          return RunQueue.insert(conn, children).map(created -> new JsonObject().put("run_id", parentId.toString())
              .put("queued", created.size()));
        })))
        .onSuccess(v -> queue.wake(List.of(RunTypes.DOWNLOAD_ALL, RunTypes.DOWNLOAD_EPISODE)));
  }

  /** The {@code download_all} run: follows its children until they have all ended, or cancels them. */
  Future<JsonObject> follow(RunContext ctx) {
    var done = Promise.<JsonObject>promise();
    ctx.cancelled().onSuccess(reason -> {
      if (RunContext.USER_CANCEL.equals(reason)) {
        cancelChildren(ctx).onComplete(ar -> done.tryFail(new IllegalStateException(reason)));
      } else {
        // A shutdown or a lost lease: the children go on; whoever runs this next follows them again.
        done.tryFail(io.castbus.common.queue.RunFailure.postpone("stopped", "stopped: " + reason,
            java.time.Duration.ZERO));
      }
    });
    poll(ctx, done);
    return done.future();
  }

  private void poll(RunContext ctx, Promise<JsonObject> done) {
    if (done.future().isComplete()) {
      return;
    }
    pool.preparedQuery(FeedsSql.CHILDREN).execute(Tuple.of(ctx.runId())).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      var row = ar.result().iterator().next();
      var total = row.getLong("total");
      var ended = row.getLong("completed") + row.getLong("failed") + row.getLong("cancelled");
      ctx.progress(ended, total, ended + " of " + total + " episode(s) done");
      if (ended >= total) {
        var result = new JsonObject().put("episodes", total).put("completed", row.getLong("completed"))
            .put("failed", row.getLong("failed")).put("cancelled", row.getLong("cancelled"));
        var line = "back catalogue done: " + row.getLong("completed") + " downloaded, " + row.getLong("failed")
            + " failed, " + row.getLong("cancelled") + " cancelled, of " + total;
        ctx.log(line);
        ctx.event(EventLevel.INFO, line, result);
        done.tryComplete(result);
      } else {
        vertx.setTimer(POLL_MS, t -> poll(ctx, done));
      }
    });
  }

  private Future<Void> cancelChildren(RunContext ctx) {
    return pool.preparedQuery(FeedsSql.ACTIVE_CHILDREN).execute(Tuple.of(ctx.runId())).compose(rows -> {
      var cancels = new ArrayList<Future<?>>();
      rows.forEach(r -> cancels.add(queue.requestCancel(r.getUUID("id"))));
      ctx.event(EventLevel.INFO, "cancelling " + cancels.size() + " download(s) of the back catalogue",
          new JsonObject().put("at", Instant.now().toString()));
      return Future.join(cancels).mapEmpty();
    });
  }
}
