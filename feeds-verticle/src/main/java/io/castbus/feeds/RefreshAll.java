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
 * {@code refresh_podcasts}: enqueues one {@code refresh_feed} run per feed due, so refreshes spread over every feeds
 * replica. A scheduled firing skips feeds backing off after failures, and is for the feeds read at
 * FEED_REFRESH_INTERVAL (every firing) or at a longer interval their subscribers asked for (once it has passed); the
 * {@code refresh_frequent_feeds} job, every 5 minutes, is for those asked for more often. A person's trigger
 * refreshes them all.
 */
final class RefreshAll {

  static final int PAGE = 500;

  /** The job that refreshes, every {@value #FREQUENT_SECONDS} s, the feeds asked for more often than the default. */
  static final String FREQUENT_JOB = "refresh_frequent_feeds";
  static final int FREQUENT_SECONDS = 300;

  private final Pool pool;
  private final RunQueue queue;
  private final int interval;

  RefreshAll(Pool pool, RunQueue queue, int interval) {
    this.pool = pool;
    this.queue = queue;
    this.interval = interval;
  }

  Future<JsonObject> run(RunContext ctx) {
    var all = ctx.owner() != null || ctx.payload().getBoolean("all", false);
    var frequent = !all && FREQUENT_JOB.equals(ctx.jobId());
    return page(ctx, all, frequent, 0L, 0, 0).map(counts -> {
      var line = "queued " + counts[1] + " refresh_feed run(s) for " + counts[0] + " podcast(s)"
          + (all ? "" : frequent ? " asked for more often than every " + interval + " s"
          : " (podcasts backing off after failures, or not due, wait)");
      ctx.log(line);
      ctx.event(EventLevel.INFO, line);
      return new JsonObject().put("podcasts", counts[0]).put("queued", counts[1]);
    });
  }

  private Future<int[]> page(RunContext ctx, boolean all, boolean frequent, long after, int podcasts, int queued) {
    return pool.preparedQuery(FeedsSql.DUE).execute(Tuple.of(after, PAGE, all, interval, frequent,
        FREQUENT_SECONDS / 2)).compose(rows -> {
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
        return rows.size() < PAGE ? Future.succeededFuture(new int[] {p, q})
            : page(ctx, all, frequent, lastId, p, q);
      });
    });
  }
}
