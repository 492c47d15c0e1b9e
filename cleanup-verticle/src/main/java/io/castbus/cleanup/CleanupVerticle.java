package io.castbus.cleanup;

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
import java.time.Duration;
import java.util.List;

/**
 * Housekeeping: registers and serves {@code cleanup_episodes}, {@code scan_library}, {@code expire_runs} and
 * {@code backup_database}, one run of each at a time across the cluster.
 */
public final class CleanupVerticle extends VerticleBase {

  public static final String CLEANUP_EPISODES = "cleanup_episodes";
  public static final String SCAN_LIBRARY = "scan_library";
  public static final String EXPIRE_RUNS = "expire_runs";
  public static final String BACKUP_DATABASE = "backup_database";
  static final int BACKUPS_KEPT = 7;

  private final Process process;
  private Worker worker;

  public CleanupVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    var settings = process.settings();
    var pool = process.pool();
    var library = new Library(settings.downloadDir());
    var queue = new RunQueue(vertx, pool);
    var retention = new Retention(vertx, pool, library, new io.castbus.common.LibraryChanges(queue, settings));
    var scan = new LibraryScan(vertx, pool, library);
    var expiry = new ExpireRuns(pool, settings.jobExpiryDays());
    var backup = new Backup(process.database());
    var one = JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1);
    worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
        .serve(CLEANUP_EPISODES, one, ctx -> cleanupEpisodes(ctx, retention))
        .serve(SCAN_LIBRARY, one, scan::run)
        .serve(EXPIRE_RUNS, one, expiry::run)
        .serve(BACKUP_DATABASE, one.maxAttempts(2), ctx -> backup(ctx, backup));
    return new JobRegistry(vertx, pool).register(jobs()).compose(v -> worker.start());
  }

  @Override
  public Future<?> stop() {
    return worker.stop();
  }

  private List<JobDefinition> jobs() {
    var settings = process.settings();
    return List.of(
        JobDefinition.of(CLEANUP_EPISODES, "Cleanup Old Episodes", CLEANUP_EPISODES,
                Trigger.every(Duration.ofSeconds(settings.cleanupInterval())))
            .paused(!settings.autoCleanupEnabled()),
        JobDefinition.of(SCAN_LIBRARY, "Scan Library", SCAN_LIBRARY, Trigger.every(Duration.ofDays(1))),
        JobDefinition.of(EXPIRE_RUNS, "Expire Run History", EXPIRE_RUNS, Trigger.every(Duration.ofHours(1))),
        JobDefinition.of(BACKUP_DATABASE, "Back Up Database", BACKUP_DATABASE, Trigger.every(Duration.ofDays(1))));
  }

  /** Scheduled firings (no owner) do nothing while AUTO_CLEANUP_ENABLED is false; a person's trigger always runs. */
  private Future<JsonObject> cleanupEpisodes(RunContext ctx, Retention retention) {
    if (!process.settings().autoCleanupEnabled() && ctx.owner() == null && ctx.jobId() != null) {
      var why = "AUTO_CLEANUP_ENABLED is false: scheduled cleanups are off; trigger the job to run one";
      ctx.event(EventLevel.INFO, why);
      return Future.succeededFuture(new JsonObject().put("skipped", true).put("reason", why));
    }
    return retention.run(ctx);
  }

  private Future<JsonObject> backup(RunContext ctx, Backup backup) {
    var dir = process.settings().dataDir().resolve("backups");
    return vertx.executeBlocking(() -> backup.write(dir, BACKUPS_KEPT), false).map(result -> {
      var line = "wrote " + result.getString("file") + " (" + Bytes.human(result.getLong("bytes")) + "), kept the newest "
          + BACKUPS_KEPT;
      ctx.log(line);
      ctx.event(EventLevel.INFO, line, result);
      return result;
    });
  }
}
