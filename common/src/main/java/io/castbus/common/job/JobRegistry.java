package io.castbus.common.job;

import io.castbus.common.bus.JobsChanged;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Registers the jobs a verticle serves. A new job starts from its definition; an existing one keeps what a user
 * changed (a customized trigger, paused state, max instances) and takes the rest from the definition.
 */
public final class JobRegistry {

  /** The job, locked, and the database's clock read after the lock: what due times are computed from. */
  private static final String LOCK = "select id, trigger, trigger_customized, paused, next_run_at, last_fired_at, "
      + "clock_timestamp() as now from jobs where id = $1 for update";

  private static final String NOW = "select clock_timestamp() as now";

  private static final String INSERT = """
      insert into jobs (id, name, run_type, payload, priority, max_instances, trigger, default_trigger, paused,
                        next_run_at)
      values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
      on conflict (id) do nothing
      """;

  private static final String UPDATE = """
      update jobs set name = $2, run_type = $3, payload = $4, priority = $5, default_trigger = $6, trigger = $7,
                      next_run_at = $8, updated_at = now()
       where id = $1
      """;

  private final Vertx vertx;
  private final Pool pool;

  public JobRegistry(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public Future<Void> register(List<JobDefinition> jobs) {
    Future<Void> chain = Future.succeededFuture();
    for (var job : jobs) {
      chain = chain.compose(v -> register(job));
    }
    return chain.onSuccess(v -> JobsChanged.several().publish(vertx.eventBus()));
  }

  private Future<Void> register(JobDefinition job) {
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK).execute(Tuple.of(job.id())).compose(rows -> {
      if (rows.size() == 0) {
        return conn.query(NOW).execute().compose(clock -> insert(conn, job,
            clock.iterator().next().getOffsetDateTime("now").toInstant()));
      }
      var row = rows.iterator().next();
      var now = row.getOffsetDateTime("now").toInstant();
      var customized = row.getBoolean("trigger_customized");
      var paused = row.getBoolean("paused");
      var current = row.getJsonObject("trigger");
      var trigger = customized ? current : job.trigger().toJson();
      var next = row.getOffsetDateTime("next_run_at") == null ? null : row.getOffsetDateTime("next_run_at").toInstant();
      if (!paused) {
        if (!customized && !trigger.equals(current)) {
          var lastFired = row.getOffsetDateTime("last_fired_at");
          next = job.trigger().firstDue(now, lastFired == null ? null : lastFired.toInstant());
        }
        if (job.runOnStartup()) {
          var startup = now.plus(job.initialDelay());
          next = next == null || startup.isBefore(next) ? startup : next;
        }
      }
      return conn.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {
          job.id(), job.name(), job.runType(), job.payload(), (short) job.priority().rank(),
          job.trigger().toJson(), trigger, utc(next)})).mapEmpty();
    }));
  }

  private static java.time.OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Future<Void> insert(io.vertx.sqlclient.SqlConnection conn, JobDefinition job, Instant now) {
    var next = job.startPaused() ? null
        : job.runOnStartup() ? now.plus(job.initialDelay()) : job.trigger().firstDue(now, null);
    return conn.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        job.id(), job.name(), job.runType(), job.payload(), (short) job.priority().rank(), job.maxInstances(),
        job.trigger().toJson(), job.startPaused(), utc(next)})).mapEmpty();
  }
}
