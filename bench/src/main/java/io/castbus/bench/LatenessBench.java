package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.RunQueue;
import io.castbus.scheduler.SchedulerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schedule lateness at scale: J interval jobs registered through {@link JobRegistry}, their first due times
 * staggered evenly over one period, one {@link SchedulerVerticle} firing them and no-op workers draining the runs
 * (so {@code max_instances} never skips). Lateness is {@code runs.created_at - runs.due_at} of every firing due in
 * the measured window.
 */
final class LatenessBench {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Duration LEAD = Duration.ofSeconds(3);
  private static final Duration GRACE = Duration.ofSeconds(3);
  private static final int REGISTER_CHUNK = 250;
  private static final int REGISTER_IN_PARALLEL = 4;
  private static final int POOL_SIZE = 16;

  /** What one measurement found. */
  record Lateness(int jobs, long fired, long expected, long skipped, double p50, double p99, double max,
      String cpu) {

    String line() {
      return String.format(Locale.ROOT, "lateness jobs=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", jobs, p50, p99, max);
    }

    String details() {
      return String.format(Locale.ROOT, "scheduler: fired=%d expected=%d skipped=%d %s", fired, expected, skipped,
          cpu);
    }
  }

  private LatenessBench() {
  }

  static Lateness measure(ScratchDatabase db, int jobs, Duration period, Duration window, int workers)
      throws Exception {
    Migrations.migrate(db.database());
    var settings = Settings.load(Map.of("DATABASE_URL", db.database().url()), Settings.AuthMode.LOCAL_OPEN);
    var vertx = ClusterSetup.local(settings);
    try {
      var pool = db.database().pool(vertx, "main", POOL_SIZE);
      var process = new Process(vertx, settings, db.database(), pool, new Health(vertx, pool));
      register(new JobRegistry(vertx, pool), jobs, period);
      var start = Instant.now().plus(LEAD);
      var end = start.plus(window);
      Await.result(pool.preparedQuery(BenchSql.STAGGER_JOBS)
          .execute(Tuple.of(utc(start), period.toMillis() / 1000.0, jobs)), TIMEOUT);
      var queue = new RunQueue(vertx, pool);
      var executions = new ConcurrentHashMap<UUID, Integer>();
      Await.result(vertx.deployVerticle(() -> new NoopWorkerVerticle(queue, BenchMain.DEFAULT_CONCURRENCY,
          executions, false), new DeploymentOptions().setInstances(workers)), TIMEOUT);
      Await.result(vertx.deployVerticle(new SchedulerVerticle(process)), TIMEOUT);
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), start).toMillis()));
      var cpu = CpuUsage.now();
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis()));
      var used = CpuUsage.now().since(cpu);
      Thread.sleep(GRACE.toMillis());
      var row = Await.result(pool.preparedQuery(BenchSql.LATENESS).execute(Tuple.of(utc(start), utc(end))), TIMEOUT)
          .iterator().next();
      var skipped = Await.result(pool.query(BenchSql.SKIPPED).execute(), TIMEOUT).iterator().next().getLong(0);
      var expected = (long) jobs * window.toMillis() / period.toMillis();
      return new Lateness(jobs, row.getLong("fired"), expected, skipped, number(row.getValue("p50")),
          number(row.getValue("p99")), number(row.getValue("max")), used);
    } finally {
      // Verticles first, so workers hand back and the scheduler stops while the shared pool is still open.
      Await.result(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
          .transform(v -> vertx.close()), TIMEOUT);
    }
  }

  /** Registers the jobs a few chunks at a time (each job is its own transaction, as at a verticle's start). */
  private static void register(JobRegistry registry, int jobs, Duration period) throws Exception {
    var trigger = new Trigger.Interval(period);
    var chunks = new ArrayList<List<JobDefinition>>();
    for (var from = 0; from < jobs; from += REGISTER_CHUNK) {
      var chunk = new ArrayList<JobDefinition>(REGISTER_CHUNK);
      for (var i = from; i < Math.min(jobs, from + REGISTER_CHUNK); i++) {
        chunk.add(JobDefinition.of(String.format(Locale.ROOT, "bench-%06d", i), "Bench job " + i,
            NoopWorkerVerticle.TYPE, trigger));
      }
      chunks.add(chunk);
    }
    for (var from = 0; from < chunks.size(); from += REGISTER_IN_PARALLEL) {
      var wave = chunks.subList(from, Math.min(chunks.size(), from + REGISTER_IN_PARALLEL));
      Await.result(Future.all(wave.stream().map(registry::register).toList()), TIMEOUT);
    }
  }

  private static double number(Object value) {
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  private static java.time.OffsetDateTime utc(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
