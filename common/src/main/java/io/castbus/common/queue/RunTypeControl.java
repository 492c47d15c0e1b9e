package io.castbus.common.queue;

import io.castbus.common.ServiceError;
import io.castbus.common.bus.RunTypesChanged;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Run types as things to steer, cluster-wide and durably: their counts and workers, pause and resume of their
 * claiming, and their cap set at run time. Every change is recorded as a run action naming who made it.
 */
public final class RunTypeControl {

  /** The most runs of one type a cap may allow across the cluster. */
  public static final int MAX_CAP = 1000;
  /** A worker is live while its heartbeat (every third of a lease) is this recent. */
  private static final int LIVE_SECONDS = 60;

  private final Vertx vertx;
  private final Pool pool;

  public RunTypeControl(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public Future<JsonArray> list() {
    return pool.preparedQuery(RunSql.RUN_TYPES).execute(Tuple.of(LIVE_SECONDS, (Object) null)).map(rows -> {
      var types = new JsonArray();
      rows.forEach(row -> types.add(json(row)));
      return types;
    });
  }

  public Future<JsonObject> get(String type) {
    return pool.preparedQuery(RunSql.RUN_TYPES).execute(Tuple.of(LIVE_SECONDS, type)).map(rows -> {
      if (rows.size() == 0) {
        throw ServiceError.notFound("no run type '" + type + "': no live worker serves it and it has no queued "
            + "or running runs");
      }
      return json(rows.iterator().next());
    });
  }

  /** Pauses ({@code true}) or resumes the claiming of {@code type} everywhere; running runs finish. */
  public Future<JsonObject> pause(String type, boolean paused, String actor, Long actorId) {
    return change(type, RunSql.SET_PAUSED, paused, paused ? "pause_type" : "resume_type",
        new JsonObject().put("type", type), actor, actorId);
  }

  /** Sets the cluster-wide cap of {@code type} ({@code null}: back to the default its workers were started with). */
  public Future<JsonObject> cap(String type, Integer concurrency, String actor, Long actorId) {
    if (concurrency != null && (concurrency < 1 || concurrency > MAX_CAP)) {
      throw ServiceError.badRequest("concurrency must be between 1 and " + MAX_CAP + " (or null for the default), got "
          + concurrency);
    }
    return change(type, RunSql.SET_CAP, concurrency, "cap_type",
        new JsonObject().put("type", type).put("concurrency", concurrency), actor, actorId);
  }

  private Future<JsonObject> change(String type, String sql, Object value, String action, JsonObject target,
      String actor, Long actorId) {
    return known(type)
        .compose(known -> pool.withTransaction(conn -> conn.preparedQuery(sql).execute(Tuple.of(type, value, actor))
            .compose(v -> conn.preparedQuery(RunSql.RECORD_ACTION)
                .execute(Tuple.of(actor, actorId, action, target)))))
        .compose(v -> {
          new RunTypesChanged(type).publish(vertx.eventBus());
          return get(type);
        });
  }

  /**
   * The charts of a job ({@code job}) or a run type: the durations of the last 100 finished runs and the outcomes
   * per hour over the last 24 hours.
   */
  public Future<JsonObject> stats(String job, String type) {
    var column = job != null ? "job_id" : "type";
    var key = job != null ? job : type;
    var exists = job == null ? known(type)
        : pool.preparedQuery(RunSql.JOB_EXISTS).execute(Tuple.of(job)).<Void>map(rows -> {
          if (rows.size() == 0) {
            throw ServiceError.notFound("no job with id '" + job + "'");
          }
          return null;
        });
    return exists.compose(v -> Future.all(
            pool.preparedQuery(RunSql.RECENT_DURATIONS.formatted(column)).execute(Tuple.of(key)),
            pool.preparedQuery(RunSql.HOURLY_OUTCOMES.formatted(column)).execute(Tuple.of(key))))
        .map(all -> {
          var durations = new JsonArray();
          all.<io.vertx.sqlclient.RowSet<Row>>resultAt(0).forEach(row -> durations.add(new JsonObject()
              .put("run_id", row.getUUID("id").toString())
              .put("status", row.getString("status"))
              .put("finished_at", RunJson.time(row.getOffsetDateTime("finished_at")))
              .put("duration_ms", row.getLong("duration_ms"))));
          var hourly = new JsonArray();
          all.<io.vertx.sqlclient.RowSet<Row>>resultAt(1).forEach(row -> hourly.add(new JsonObject()
              .put("hour", RunJson.time(row.getOffsetDateTime("hour")))
              .put("completed", row.getLong("completed"))
              .put("failed", row.getLong("failed"))
              .put("cancelled", row.getLong("cancelled"))));
          return new JsonObject().put(job != null ? "job" : "type", key).put("durations", durations)
              .put("hourly", hourly);
        });
  }

  /** Succeeds when the type has runs, a worker serving it or settings; else a 404 naming it. */
  private Future<Void> known(String type) {
    return pool.preparedQuery(RunSql.TYPE_EXISTS).execute(Tuple.of(type)).map(rows -> {
      if (rows.size() == 0) {
        throw ServiceError.notFound("no run type '" + type + "': no run of it was ever stored and no worker serves it");
      }
      return null;
    });
  }

  private static JsonObject json(Row row) {
    var cap = row.getInteger("cap");
    var byDefault = row.getInteger("default_cap");
    var workers = (JsonArray) row.getJson("workers");
    Integer perWorker = null;
    for (var w : workers) {
      var n = ((JsonObject) w).getInteger("concurrency");
      if (n != null && (perWorker == null || n > perWorker)) {
        perWorker = n;
      }
    }
    return new JsonObject()
        .put("type", row.getString("type"))
        .put("queued", row.getLong("queued"))
        .put("running", row.getLong("running"))
        .put("failed_24h", row.getLong("failed_24h"))
        .put("concurrency", new JsonObject()
            .put("cluster", cap != null ? cap : byDefault)
            .put("cluster_default", byDefault)
            .put("steered", cap != null)
            .put("per_worker", perWorker))
        .put("paused", row.getBoolean("paused"))
        .put("workers", workers)
        .put("updated_at", RunJson.time(row.getOffsetDateTime("updated_at")))
        .put("updated_by", row.getString("updated_by"));
  }
}
