package io.castbus.common.queue;

import io.castbus.common.PageCursor;
import io.castbus.common.bus.RunCancel;
import io.castbus.common.bus.RunUpdate;
import io.castbus.common.bus.RunsWake;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The durable run queue in PostgreSQL: enqueue, claim, complete, retry, cancel, reclaim, query. */
public final class RunQueue {

  private final Vertx vertx;
  private final Pool pool;

  public RunQueue(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Stores the run (it is durable when the future succeeds) and wakes workers. Returns its id, or the id of the
   * active run with the same dedupe key. */
  public Future<UUID> enqueue(NewRun run) {
    var id = RunIds.next();
    return pool.preparedQuery(RunSql.ENQUEUE)
        .execute(Tuple.of(new JsonArray().add(run.toRow(id))))
        .compose(rows -> {
          if (rows.size() > 0) {
            wake(List.of(run.type()));
            return Future.succeededFuture(id);
          }
          if (run.dedupeKey() == null) {
            return Future.failedFuture(new IllegalStateException("run " + run.type() + " for job " + run.jobId()
                + " due " + run.dueAt() + " was not stored: that firing already has a run"));
          }
          return pool.preparedQuery(RunSql.ACTIVE_BY_DEDUPE_KEY).execute(Tuple.of(run.type(), run.dedupeKey()))
              .compose(existing -> existing.size() > 0
                  ? Future.succeededFuture(existing.iterator().next().getUUID("id"))
                  : enqueue(run));
        });
  }

  /**
   * Queues one run of {@code type} to start {@code quiet} after the last call: while one is queued, each call moves
   * its start later instead of queueing another (a burst of changes makes one run). A run already running does not
   * count, so a change during a run is followed by another run. Returns the queued run's id.
   */
  public Future<UUID> debounce(String type, JsonObject payload, Duration quiet) {
    var seconds = quiet.toMillis() / 1000.0;
    return pool.withTransaction(conn -> conn.preparedQuery(RunSql.DEBOUNCE_LOCK).execute(Tuple.of(type))
        .compose(v -> conn.preparedQuery(RunSql.DEBOUNCE)
            .execute(Tuple.of(type, RunIds.next(), seconds, payload, Priority.NORMAL.rank()))))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** Stores many runs in one statement; returns the ids created (runs deduplicated away are left out). */
  public Future<List<UUID>> enqueueAll(List<NewRun> runs) {
    if (runs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return insert(pool, runs).onSuccess(ids -> wake(runs.stream().map(NewRun::type).toList()));
  }

  /**
   * Inserts runs inside the caller's transaction; the caller wakes workers with {@link #wake} after it commits.
   * Returns the ids created.
   */
  public static Future<List<UUID>> insert(SqlClient client, List<NewRun> runs) {
    if (runs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    var rows = new JsonArray();
    for (var run : runs) {
      rows.add(run.toRow(RunIds.next()));
    }
    return client.preparedQuery(RunSql.ENQUEUE).execute(Tuple.of(rows)).map(result -> {
      var ids = new ArrayList<UUID>(result.size());
      result.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  public void wake(Collection<String> types) {
    for (var type : new LinkedHashSet<>(types)) {
      new RunsWake(type).publish(vertx.eventBus());
    }
  }

  Future<List<ClaimedRun>> claim(String type, String workerId, int limit, Duration lease, int maxAttempts,
      int clusterCap) {
    var seconds = lease.toMillis() / 1000.0;
    if (clusterCap <= 0) {
      return pool.preparedQuery(RunSql.CLAIM)
          .execute(Tuple.of(type, workerId, limit, seconds, maxAttempts))
          .map(RunQueue::claimed);
    }
    return pool.withTransaction(conn -> conn.preparedQuery(RunSql.CLAIM_LOCK).execute(Tuple.of(type))
        .compose(locked -> conn.preparedQuery(RunSql.CLAIM_CAPPED)
            .execute(Tuple.of(type, workerId, limit, seconds, maxAttempts, clusterCap)))
        .map(RunQueue::claimed));
  }

  private static List<ClaimedRun> claimed(RowSet<Row> rows) {
    var runs = new ArrayList<ClaimedRun>(rows.size());
    rows.forEach(row -> runs.add(ClaimedRun.from(row)));
    return runs;
  }

  /** Marks the runs completed and records their last events; {@code completions} rows are {@code {id, result,
   * progress, lines}}. Returns the rows
   * that were still this worker's (a run reclaimed by another worker is left alone). */
  Future<RowSet<Row>> complete(JsonArray completions, JsonArray events, String workerId) {
    return pool.preparedQuery(RunSql.COMPLETE)
        .execute(Tuple.of(Storable.json(completions), workerId, Storable.json(events)));
  }

  /** Ends an attempt: {@code status} queued (retry after {@code wait}), failed or cancelled. */
  Future<RowSet<Row>> endAttempt(UUID id, int attempt, String workerId, RunStatus status, Duration wait,
      JsonObject error, String level, String message) {
    return pool.preparedQuery(RunSql.END_ATTEMPT)
        .execute(Tuple.from(new Object[] {id, workerId, status.wire(), wait.toMillis() / 1000.0, Storable.json(error),
            level, Storable.text(message), attempt}));
  }

  /** Puts a running run back in the queue for {@code wait} without counting its attempt. */
  Future<RowSet<Row>> postpone(UUID id, int attempt, String workerId, Duration wait, String message) {
    return pool.preparedQuery(RunSql.POSTPONE)
        .execute(Tuple.of(id, workerId, wait.toMillis() / 1000.0, Storable.text(message), attempt));
  }

  Future<Void> flush(JsonArray updates, JsonArray events, String workerId) {
    var writes = new ArrayList<Future<?>>(2);
    if (!updates.isEmpty()) {
      writes.add(pool.preparedQuery(RunSql.FLUSH).execute(Tuple.of(Storable.json(updates), workerId)));
    }
    if (!events.isEmpty()) {
      writes.add(pool.preparedQuery(RunSql.INSERT_EVENTS).execute(Tuple.of(Storable.json(events))));
    }
    return Future.all(writes).mapEmpty();
  }

  /** Renews the leases of the given claims ({@code [{id, attempt}]}) that are still this worker's. */
  Future<RowSet<Row>> renewLeases(String workerId, Duration lease, JsonArray claims) {
    return pool.preparedQuery(RunSql.RENEW_LEASES).execute(Tuple.of(workerId, lease.toMillis() / 1000.0, claims));
  }

  /** Records that the worker is alive, which types it serves and how ({@code options}: per type). */
  Future<Void> heartbeat(String workerId, String host, Collection<String> types, JsonObject options) {
    return pool.preparedQuery(RunSql.HEARTBEAT)
        .execute(Tuple.of(workerId, host, types.toArray(new String[0]), options))
        .mapEmpty();
  }

  /** The settings steered at run time of the given types (those never steered are left out). */
  Future<java.util.Map<String, RunTypeSetting>> settings(Collection<String> types) {
    return pool.preparedQuery(RunSql.TYPE_SETTINGS).execute(Tuple.of(types.toArray(new String[0]))).map(rows -> {
      var settings = new java.util.HashMap<String, RunTypeSetting>();
      rows.forEach(row -> settings.put(row.getString("type"),
          new RunTypeSetting(row.getBoolean("paused"), row.getInteger("concurrency"))));
      return settings;
    });
  }

  Future<Void> forgetWorker(String workerId) {
    return pool.preparedQuery(RunSql.FORGET_WORKER).execute(Tuple.of(workerId)).mapEmpty();
  }

  Future<RowSet<Row>> handBack(String workerId) {
    return pool.preparedQuery(RunSql.HAND_BACK).execute(Tuple.of(workerId));
  }

  Future<RowSet<Row>> markCancelled(UUID id, int attempt, String workerId, String reason) {
    return pool.preparedQuery(RunSql.MARK_CANCELLED)
        .execute(Tuple.of(id, workerId, Storable.text(reason), attempt));
  }

  /** Puts runs whose worker stopped renewing the lease back in the queue, or fails them when out of attempts. */
  public Future<RowSet<Row>> reclaimExpired(int limit) {
    return pool.preparedQuery(RunSql.RECLAIM_EXPIRED).execute(Tuple.of(limit));
  }

  // Queries and control used by the runs API.

  public Future<Optional<JsonObject>> get(UUID id) {
    return pool.preparedQuery(RunSql.GET).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(RunJson.run(rows.iterator().next())));
  }

  /** One page of runs, newest first, after {@code after} (a run's (created_at, id), or null for the first page). */
  public Future<RunPage> list(RunSearch filter, int limit, PageCursor after) {
    var params = new ArrayList<Object>();
    var where = (filter.searchesWord() ? filter.withoutWord() : filter).where(params);
    if (after != null) {
      params.add(after.at());
      params.add(after.uuid());
      where = where + " and " + RunSql.AFTER_CURSOR.formatted(params.size() - 1, params.size());
    }
    params.add(limit + 1);
    var limitAt = params.size();
    if (!filter.searchesWord()) {
      var sql = RunSql.LIST.formatted(where, limitAt);
      return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> page(rows, limit));
    }
    var sql = RunSql.LIST_AMONG.formatted(filter.wordMatches(params, where, RunSql.PAGE_TAIL.formatted(limitAt)),
        limitAt);
    return pool.withTransaction(conn -> conn.query(RunSql.CUSTOM_PLANS).execute()
            .compose(v -> conn.preparedQuery(sql).execute(Tuple.from(params))))
        .map(rows -> page(rows, limit));
  }

  private static RunPage page(RowSet<Row> rows, int limit) {
    var runs = new JsonArray();
    PageCursor next = null;
    var count = 0;
    for (var row : rows) {
      if (count == limit) {
        var last = runs.getJsonObject(runs.size() - 1);
        next = PageCursor.of(OffsetDateTime.parse(last.getString("created_at")), last.getString("id"));
        break;
      }
      runs.add(RunJson.run(row));
      count++;
    }
    return new RunPage(runs, next);
  }

  /**
   * The current state of the runs changed after {@code since} (at most {@code limit}, the newest), oldest change
   * first, each in the shape of a {@code castbus.runs.updates} message; only the runs of the user with id {@code ownerId} unless null.
   */
  public Future<JsonArray> changedSince(OffsetDateTime since, Long ownerId, int limit) {
    return pool.preparedQuery(RunSql.CHANGED_SINCE).execute(Tuple.of(since, limit, ownerId)).map(rows -> {
      var runs = new JsonArray();
      rows.forEach(row -> runs.add(snapshot(row).toJson()));
      return runs;
    });
  }

  public Future<JsonArray> events(UUID id, long afterId, int limit) {
    return pool.preparedQuery(RunSql.EVENTS).execute(Tuple.of(id, afterId, limit)).map(rows -> {
      var events = new JsonArray();
      rows.forEach(row -> events.add(RunJson.event(row)));
      return events;
    });
  }

  /** Queued and running runs by type and status. */
  public Future<RowSet<Row>> depth() {
    return pool.query(RunSql.DEPTH).execute();
  }

  public Future<Optional<String>> status(UUID id) {
    return pool.preparedQuery(RunSql.STATUS_OF).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString("status")));
  }

  /** Cancels a queued run at once, or asks the worker of a running run to stop. */
  public Future<CancelOutcome> requestCancel(UUID id) {
    return pool.preparedQuery(RunSql.REQUEST_CANCEL).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return CancelOutcome.NOT_FOUND;
      }
      var row = rows.iterator().next();
      switch (row.getString("found")) {
        case "queued" -> {
          publishStatus(id, row.getString("type"), row.getString("job_id"), RunStatus.CANCELLED);
          return CancelOutcome.CANCELLED;
        }
        case "running" -> {
          new RunCancel(id).publish(vertx.eventBus());
          return CancelOutcome.REQUESTED;
        }
        default -> {
          return CancelOutcome.ALREADY_FINISHED;
        }
      }
    });
  }

  public enum CancelOutcome { CANCELLED, REQUESTED, ALREADY_FINISHED, NOT_FOUND }

  /**
   * Queues a new run like the failed or cancelled run {@code id} ({@code retry_of} names it); the old one stays as
   * it ended. Answers the new run's id, the active run that already stands for it (same dedupe key), or why not.
   */
  public Future<Retried> retry(UUID id) {
    return pool.preparedQuery(RunSql.RETRY).execute(Tuple.of(id, RunIds.next())).compose(rows -> {
      if (rows.size() > 0) {
        var row = rows.iterator().next();
        wake(List.of(row.getString("type")));
        return Future.succeededFuture(new Retried(row.getUUID("id"), null));
      }
      return get(id).compose(run -> {
        if (run.isEmpty()) {
          return Future.succeededFuture(new Retried(null, null));
        }
        var status = run.get().getString("status");
        if (!status.equals("failed") && !status.equals("cancelled")) {
          return Future.succeededFuture(new Retried(null, status));
        }
        // An active run with the same dedupe key already does what the retry would.
        return pool.preparedQuery(RunSql.ACTIVE_LIKE).execute(Tuple.of(id)).map(active -> active.size() == 0
            ? new Retried(null, status) : new Retried(active.iterator().next().getUUID("id"), null));
      });
    });
  }

  /** A retry's outcome: the run that now does the work, or the status that forbids a retry (neither: no run). */
  public record Retried(UUID runId, String refusedStatus) {
  }

  /** Deletes a finished run and its events. */
  public Future<DeleteOutcome> deleteFinished(UUID id) {
    return pool.preparedQuery(RunSql.DELETE_TERMINAL).execute(Tuple.of(id)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(DeleteOutcome.DELETED)
        : status(id).map(s -> s.isEmpty() ? DeleteOutcome.NOT_FOUND : DeleteOutcome.NOT_FINISHED));
  }

  public enum DeleteOutcome { DELETED, NOT_FINISHED, NOT_FOUND }

  void publishStatus(UUID id, String type, String jobId, RunStatus status) {
    RunUpdate.status(id, type, jobId, status.wire()).publish(vertx.eventBus());
  }

  /** A run's stored state as an update: {@code progress} for a running run with progress, else {@code status}. */
  private static RunUpdate snapshot(Row row) {
    var status = row.getString("status");
    var progress = (JsonObject) row.getJson("progress");
    var kind = RunStatus.RUNNING.wire().equals(status) && progress != null ? RunUpdate.PROGRESS : RunUpdate.STATUS;
    return new RunUpdate(kind, row.getUUID("id"), row.getString("type"), row.getString("job_id"), status, progress,
        row.getOffsetDateTime("updated_at").toInstant());
  }
}
