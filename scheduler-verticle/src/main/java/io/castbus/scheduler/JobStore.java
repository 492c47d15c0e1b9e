package io.castbus.scheduler;

import io.castbus.common.ServiceError;
import io.castbus.common.job.Trigger;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.Priority;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jobs in PostgreSQL: firing due ones exactly once, and the job-control operations. */
final class JobStore {

  private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);
  static final int MAX_JOBS_LISTED = 10_000;

  private final Pool pool;
  private final ZoneId defaultZone;

  JobStore(Pool pool, ZoneId defaultZone) {
    this.pool = pool;
    this.defaultZone = defaultZone;
  }

  /** What one firing pass did. */
  record Fired(int locked, int created, int skipped, Set<String> types) {
  }

  Future<Instant> nextDue() {
    return pool.query(SchedulerSql.NEXT_DUE).execute().map(rows -> {
      var next = rows.iterator().next().getOffsetDateTime("next");
      return next == null ? null : next.toInstant();
    });
  }

  /**
   * Fires up to {@code limit} jobs due at {@code now}: in one transaction, locks them (other replicas skip them),
   * creates one run each unless max_instances runs are live (then the firing is skipped and counted), and moves
   * each to its next due time after now — so downtime coalesces into one firing.
   */
  Future<Fired> fireDue(Instant now, int limit) {
    return pool.withTransaction(conn -> conn.preparedQuery(SchedulerSql.LOCK_DUE)
        .execute(Tuple.of(utc(now), limit))
        .compose(rows -> {
          var ids = new ArrayList<String>();
          rows.forEach(row -> ids.add(row.getString("id")));
          return conn.preparedQuery(SchedulerSql.ACTIVE_RUNS).execute(Tuple.of(ids.toArray(new String[0])))
              .map(counts -> {
                var active = new java.util.HashMap<String, Long>();
                counts.forEach(c -> active.put(c.getString("job_id"), c.getLong("active")));
                return Map.entry(rows, active);
              });
        })
        .compose(found -> {
          var rows = found.getKey();
          var active = found.getValue();
          var runs = new ArrayList<NewRun>();
          var advances = new JsonArray();
          var types = new LinkedHashSet<String>();
          var skipped = 0;
          for (var row : rows) {
            var id = row.getString("id");
            var due = row.getOffsetDateTime("next_run_at").toInstant();
            var next = trigger(row).nextDue(due, now);
            var live = active.getOrDefault(id, 0L);
            var fire = live < row.getInteger("max_instances");
            if (fire) {
              runs.add(NewRun.of(row.getString("run_type"), row.getJsonObject("payload"))
                  .priority(Priority.ofRank(row.getInteger("priority")))
                  .job(id, due));
              types.add(row.getString("run_type"));
            } else {
              skipped++;
              LOG.info("Job {}: firing due {} skipped, {} run(s) still queued or running (max_instances {})", id, due,
                  live, row.getInteger("max_instances"));
            }
            advances.add(new JsonObject().put("id", id).put("due_at", due.toString())
                .put("next_run_at", next == null ? null : next.toString()).put("fired", fire));
          }
          if (advances.isEmpty()) {
            return Future.succeededFuture(new Fired(0, 0, 0, Set.of()));
          }
          var locked = advances.size();
          var skips = skipped;
          return RunQueue.insert(conn, runs)
              .compose(ids -> conn.preparedQuery(SchedulerSql.ADVANCE).execute(Tuple.of(advances))
                  .map(done -> new Fired(locked, ids.size(), skips, types)));
        }));
  }

  Future<JsonArray> list() {
    return pool.preparedQuery(SchedulerSql.LIST_JOBS).execute(Tuple.of(MAX_JOBS_LISTED)).map(rows -> {
      var jobs = new JsonArray();
      rows.forEach(row -> jobs.add(json(row)));
      return jobs;
    });
  }

  Future<JsonObject> get(String id) {
    return get(id, 0);
  }

  /** Succeeds when the job exists; else the 404 naming it. */
  Future<Void> exists(String id) {
    return pool.preparedQuery(SchedulerSql.JOB_EXISTS).execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(noJob(id)) : Future.succeededFuture());
  }

  /** Fire times as the API shows them. */
  static io.vertx.core.json.JsonArray times(java.util.List<Instant> times) {
    var json = new io.vertx.core.json.JsonArray();
    times.forEach(t -> json.add(t.toString()));
    return json;
  }

  /** The job; with {@code preview} > 0, also the next {@code preview} times its trigger fires. */
  Future<JsonObject> get(String id, int preview) {
    return pool.preparedQuery(SchedulerSql.GET_JOB).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(noJob(id));
      }
      var row = rows.iterator().next();
      var json = json(row);
      if (preview > 0) {
        var next = row.getOffsetDateTime("next_run_at");
        json.put("next_run_times", times(trigger(row).upcoming(next == null ? null : next.toInstant(),
            Instant.now(), lastFired(row), preview)));
      }
      return Future.succeededFuture(json);
    });
  }

  /**
   * Sets a user's trigger (kept across restarts and re-registration) and/or max_instances. The next due time comes
   * from the database's clock read after the job is locked, never before the job's last firing.
   */
  Future<Void> update(String id, Trigger trigger, Integer maxInstances) {
    return pool.withTransaction(conn -> conn.preparedQuery(SchedulerSql.LOCK_JOB).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(noJob(id));
          }
          if (trigger == null) {
            return conn.preparedQuery(SchedulerSql.SET_MAX_INSTANCES).execute(Tuple.of(id, maxInstances)).mapEmpty();
          }
          var row = rows.iterator().next();
          var next = trigger.firstDue(lockedAt(row), lastFired(row));
          return conn.preparedQuery(SchedulerSql.SET_TRIGGER)
              .execute(Tuple.of(id, trigger.toJson(), utc(next), maxInstances)).mapEmpty();
        }));
  }

  Future<Void> pause(String id) {
    return pool.preparedQuery(SchedulerSql.PAUSE).execute(Tuple.of(id))
        .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(noJob(id)) : Future.succeededFuture());
  }

  Future<Void> resume(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery(SchedulerSql.LOCK_JOB).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(noJob(id));
          }
          var row = rows.iterator().next();
          var next = trigger(row).firstDue(lockedAt(row), lastFired(row));
          return conn.preparedQuery(SchedulerSql.RESUME).execute(Tuple.of(id, utc(next))).mapEmpty();
        }));
  }

  /** Creates a run of the job now, paused or not; {@code payload} is merged over the job's own. */
  Future<UUID> trigger(String id, JsonObject payload, String owner, Long ownerId, RunQueue queue) {
    return pool.preparedQuery(SchedulerSql.LOCK_JOB.replace(" for update", "")).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(noJob(id));
          }
          var row = rows.iterator().next();
          var merged = row.getJsonObject("payload").copy().mergeIn(payload == null ? new JsonObject() : payload);
          return queue.enqueue(NewRun.of(row.getString("run_type"), merged)
              .priority(Priority.ofRank(row.getInteger("priority")))
              .job(id, null)
              .owner(owner, ownerId));
        });
  }

  /** The database's clock when the job's lock was granted. */
  private static Instant lockedAt(Row row) {
    return row.getOffsetDateTime("now").toInstant();
  }

  private Trigger trigger(Row row) {
    return Trigger.fromJson(row.getJsonObject("trigger"), defaultZone);
  }

  private static Instant lastFired(Row row) {
    var t = row.getOffsetDateTime("last_fired_at");
    return t == null ? null : t.toInstant();
  }

  private JsonObject json(Row row) {
    var trigger = trigger(row);
    var completed = row.getLong("completed");
    var failed = row.getLong("failed");
    var finished = completed + failed;
    var avg = row.getDouble("avg_ms");
    var p95 = row.getDouble("p95_ms");
    var lastId = row.getUUID("last_id");
    JsonObject lastRun = null;
    if (lastId != null) {
      var started = row.getOffsetDateTime("last_started");
      var ended = row.getOffsetDateTime("last_finished");
      lastRun = new JsonObject()
          .put("id", lastId.toString())
          .put("status", row.getString("last_status"))
          .put("started_at", RunJson.time(started))
          .put("finished_at", RunJson.time(ended))
          .put("duration_ms", started != null && ended != null
              ? java.time.Duration.between(started, ended).toMillis() : null);
    }
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("name", row.getString("name"))
        .put("next_run_time", RunJson.time(row.getOffsetDateTime("next_run_at")))
        .put("trigger", trigger.describe())
        .put("paused", row.getBoolean("paused"))
        .put("last_run", lastRun)
        .put("stats", new JsonObject()
            .put("success_rate", finished == 0 ? null : Math.round(completed * 1000.0 / finished) / 1000.0)
            .put("failure_rate", finished == 0 ? null : Math.round(failed * 1000.0 / finished) / 1000.0)
            .put("avg_duration_ms", avg == null ? null : Math.round(avg))
            .put("p95_duration_ms", p95 == null ? null : Math.round(p95))
            .put("oldest_queued_at", RunJson.time(row.getOffsetDateTime("oldest_queued")))
            .put("queue_depth", row.getLong("queue_depth"))
            .put("runs", row.getLong("total_runs")))
        .put("run_type", row.getString("run_type"))
        .put("trigger_spec", trigger.toJson())
        .put("default_trigger_spec", Trigger.fromJson(row.getJsonObject("default_trigger"), defaultZone).toJson())
        .put("max_instances", row.getInteger("max_instances"))
        .put("skipped", new JsonObject()
            .put("count", row.getLong("skipped_count"))
            .put("last_at", RunJson.time(row.getOffsetDateTime("last_skipped_at"))));
  }

  private static ServiceError noJob(String id) {
    return ServiceError.notFound("no job with id '" + id + "'");
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
