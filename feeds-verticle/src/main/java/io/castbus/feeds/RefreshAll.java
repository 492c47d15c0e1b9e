package io.castbus.feeds;

import io.castbus.common.RunTypes;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;

/**
 * {@code refresh_podcasts}: enqueues one {@code refresh_feed} run per podcast, so refreshes spread over every feeds
 * replica. A scheduled firing skips podcasts backing off after failures; a person's trigger refreshes them all.
 */
final class RefreshAll {

  static final int PAGE = 500;

  private final Pool pool;
  private final RunQueue queue;

  RefreshAll(Pool pool, RunQueue queue) {
    this.pool = pool;
    this.queue = queue;
  }

  Future<JsonObject> run(RunContext ctx) {
    var all = ctx.owner() != null || ctx.payload().getBoolean("all", false);
    return page(ctx, all, 0L, 0, 0).map(counts -> {
      var line = "queued " + counts[1] + " refresh_feed run(s) for " + counts[0] + " podcast(s)"
          + (all ? "" : " (podcasts backing off after failures wait)");
      ctx.log(line);
      ctx.event(EventLevel.INFO, line);
      return new JsonObject().put("podcasts", counts[0]).put("queued", counts[1]);
    });
  }

  private Future<int[]> page(RunContext ctx, boolean all, long after, int podcasts, int queued) {
    return pool.preparedQuery(FeedsSql.DUE).execute(Tuple.of(after, PAGE, all)).compose(rows -> {
      var runs = new ArrayList<NewRun>(rows.size());
      var last = after;
      for (var row : rows) {
        last = row.getLong("id");
        runs.add(RunTypes.refresh(last).owner(row.getString("owner"), row.getLong("owner_id")).parent(ctx.runId()));
      }
      var lastId = last;
      return queue.enqueueAll(runs).compose(ids -> {
        var p = podcasts + rows.size();
        var q = queued + ids.size();
        ctx.progress(p, null, "queued refreshes for " + p + " podcast(s)");
        return rows.size() < PAGE ? Future.succeededFuture(new int[] {p, q}) : page(ctx, all, lastId, p, q);
      });
    });
  }
}
