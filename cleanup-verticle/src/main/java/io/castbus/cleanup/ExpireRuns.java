package io.castbus.cleanup;

import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * {@code expire_runs}: keeps the newest 100 completed and 200 failed or cancelled runs per type, and deletes
 * finished runs (with their events) older than {@code JOB_EXPIRY_DAYS}. Never touches files.
 */
final class ExpireRuns {

  static final int KEEP_COMPLETED = 100;
  static final int KEEP_FAILED = 200;
  private static final int BATCH = 5_000;

  private final Pool pool;
  private final int expiryDays;

  ExpireRuns(Pool pool, int expiryDays) {
    this.pool = pool;
    this.expiryDays = expiryDays;
  }

  Future<JsonObject> run(RunContext ctx) {
    var days = ctx.payload().getInteger("days", expiryDays);
    return deleteAll(CleanupSql.EXPIRE_BEYOND_KEPT, Tuple.of(KEEP_COMPLETED, KEEP_FAILED, BATCH), 0)
        .compose(beyond -> deleteAll(CleanupSql.EXPIRE_OLDER_THAN, Tuple.of(days, BATCH), 0)
            .map(old -> {
              var message = "deleted " + beyond + " run(s) beyond the newest " + KEEP_COMPLETED + " completed / "
                  + KEEP_FAILED + " failed per type, and " + old + " finished more than " + days + " day(s) ago";
              ctx.log(message);
              ctx.event(EventLevel.INFO, message, new JsonObject().put("beyond_kept", beyond).put("older", old));
              return new JsonObject().put("deleted_beyond_kept", beyond).put("deleted_older", old)
                  .put("expiry_days", days);
            }));
  }

  /** Deletes in batches so no statement holds many locks for long. */
  private Future<Integer> deleteAll(String sql, Tuple args, int sofar) {
    return pool.preparedQuery(sql).execute(args).compose(rows -> rows.rowCount() < BATCH
        ? Future.succeededFuture(sofar + rows.rowCount())
        : deleteAll(sql, args, sofar + rows.rowCount()));
  }
}
