package io.castbus.scheduler;

import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;

/**
 * Serves {@code expire_runs} (hourly): keeps the newest 100 completed and 200 failed or cancelled runs per type,
 * and deletes finished runs older than {@code JOB_EXPIRY_DAYS}. Never touches files.
 */
public final class ExpireRunsVerticle extends VerticleBase {

  public static final String JOB = "expire_runs";
  static final int KEEP_COMPLETED = 100;
  static final int KEEP_FAILED = 200;
  private static final int BATCH = 5_000;

  private final Process process;
  private Worker worker;

  public ExpireRunsVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    worker = new Worker(vertx, new RunQueue(vertx, process.pool()), WorkerOptions.DEFAULTS)
        .serve(JOB, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1), this::expire);
    return new JobRegistry(vertx, process.pool())
        .register(List.of(JobDefinition.of(JOB, "Expire Run History", JOB, Trigger.every(Duration.ofHours(1)))))
        .compose(v -> worker.start());
  }

  @Override
  public Future<?> stop() {
    return worker.stop();
  }

  private Future<JsonObject> expire(RunContext ctx) {
    var days = ctx.payload().getInteger("days", process.settings().jobExpiryDays());
    var pool = process.pool();
    return deleteAll(pool, SchedulerSql.EXPIRE_BEYOND_KEPT, Tuple.of(KEEP_COMPLETED, KEEP_FAILED, BATCH), 0)
        .compose(beyond -> deleteAll(pool, SchedulerSql.EXPIRE_OLDER_THAN, Tuple.of(days, BATCH), 0)
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
  private static Future<Integer> deleteAll(Pool pool, String sql, Tuple args, int sofar) {
    return pool.preparedQuery(sql).execute(args).compose(rows -> rows.rowCount() < BATCH
        ? Future.succeededFuture(sofar + rows.rowCount())
        : deleteAll(pool, sql, args, sofar + rows.rowCount()));
  }
}
