package io.castbus.common.queue;

import io.castbus.common.ServiceError;
import io.castbus.common.bus.RunCancel;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retry, cancel or delete every run a filter matches. The matching runs are fixed first (at most
 * {@value #MAX_RUNS}), then acted on in batches of at most {@value #BATCH} rows, one statement each, each followed
 * by a pause three times as long as it took, so the queue keeps working between them; each batch counts itself in
 * the action's row in the same statement, so an action cut short by a crash leaves every run untouched or fully
 * acted on, and its row says how many were done. The action's connection holds a lock for as long as it runs, so
 * one whose process died reads as interrupted.
 */
public final class BulkActions {

  public static final int MAX_RUNS = 100_000;
  public static final int BATCH = 1000;
  /** How much longer than a batch took the action waits before the next. */
  private static final int PAUSE_FACTOR = 3;
  private static final Logger LOG = LoggerFactory.getLogger(BulkActions.class);

  /** What a bulk action can do, and the statement that does one batch of it. */
  public enum Action {
    RETRY(RunSql.BULK_RETRY), CANCEL(RunSql.BULK_CANCEL), DELETE(RunSql.BULK_DELETE);

    private final String sql;

    Action(String sql) {
      this.sql = sql;
    }

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Action parse(String value) {
      for (var a : values()) {
        if (a.wire().equals(value)) {
          return a;
        }
      }
      throw ServiceError.badRequest("unknown action '" + value + "'; known: retry, cancel, delete");
    }
  }

  private final RunQueue queue;
  private final Pool pool;

  public BulkActions(RunQueue queue) {
    this.queue = queue;
    this.pool = queue.pool();
  }

  /** Acts on the runs {@code filter} matches; answers {@code {"action_id", "matched", "done", "skipped"}}. */
  public Future<JsonObject> run(Action action, RunSearch filter, String actor, Long actorId) {
    var params = new ArrayList<Object>();
    params.add(MAX_RUNS + 1);
    var where = filter.where(params);
    return pool.preparedQuery(RunSql.BULK_MATCH.formatted(where)).execute(Tuple.from(params)).compose(rows -> {
      if (rows.size() > MAX_RUNS) {
        throw ServiceError.badRequest("the filter matches more than " + MAX_RUNS + " runs; narrow it (by status, "
            + "type, job, podcast, q or created_after / created_before) and act in several calls");
      }
      var ids = new ArrayList<UUID>(rows.size());
      rows.forEach(row -> ids.add(row.getUUID("id")));
      if (ids.isEmpty()) {
        return Future.succeededFuture(new JsonObject().put("matched", 0).put("done", 0).put("skipped", 0));
      }
      var target = new JsonObject().put("filter", filter.toJson());
      // One connection for the whole action: it holds the action's lock, which PostgreSQL releases if this process
      // dies, so the action then reads as interrupted rather than running for ever.
      return pool.withConnection(conn -> conn.preparedQuery(RunSql.START_ACTION)
          .execute(Tuple.of(actor, actorId, "bulk_" + action.wire(), target, ids.size()))
          .compose(started -> {
            var actionId = started.iterator().next().getLong("id");
            LOG.info("Bulk action {} by {}: {} on {} run(s) matching {}", actionId, actor, action.wire(), ids.size(),
                filter.toJson().encode());
            return batches(conn, action, actionId, actor, ids, 0)
                .recover(e -> cutShort(actionId, ids.size(), e))
                .compose(v -> conn.preparedQuery(RunSql.FINISH_ACTION).execute(Tuple.of(actionId)))
                .eventually(() -> conn.preparedQuery(RunSql.RELEASE_ACTION).execute(Tuple.of(actionId)))
                .map(finished -> {
                  var row = finished.iterator().next();
                  return new JsonObject().put("action_id", actionId).put("action", action.wire())
                      .put("matched", row.getInteger("matched")).put("done", row.getInteger("done"))
                      .put("skipped", row.getInteger("skipped"));
                });
          }));
    });
  }

  /** A batch failed: the action stops there, saying how far it got (each batch before it is fully done). */
  private <T> Future<T> cutShort(long actionId, int matched, Throwable failure) {
    var cause = ServiceError.of(failure);
    return pool.preparedQuery(RunSql.ACTION_DONE).execute(Tuple.of(actionId)).transform(read -> {
      var done = read.succeeded() && read.result().size() > 0
          ? read.result().iterator().next().getInteger("done") + " of " + matched
          : "some of " + matched + " (GET /api/run-actions says how many)";
      LOG.warn("Bulk action {} stopped after {} runs: {}", actionId, done, cause.getMessage());
      return Future.failedFuture(new ServiceError(cause.status(), cause.code(), "bulk action " + actionId
          + " stopped after " + done + " runs, each fully acted on; the others are untouched: "
          + cause.getMessage()));
    });
  }

  private Future<Void> batches(SqlConnection conn, Action action, long actionId, String actor, List<UUID> ids,
      int from) {
    if (from >= ids.size()) {
      return Future.succeededFuture();
    }
    var batch = ids.subList(from, Math.min(from + BATCH, ids.size())).toArray(new UUID[0]);
    var tuple = switch (action) {
      case RETRY -> {
        var fresh = new UUID[batch.length];
        for (var i = 0; i < fresh.length; i++) {
          fresh[i] = RunIds.next();
        }
        yield Tuple.of(batch, actionId, batch.length, fresh);
      }
      case CANCEL -> Tuple.of(batch, actionId, batch.length, actor);
      case DELETE -> Tuple.of(batch, actionId, batch.length);
    };
    var started = System.nanoTime();
    return conn.preparedQuery(action.sql).execute(tuple)
        .compose(rows -> {
          announce(action, rows);
          if (from + BATCH >= ids.size()) {
            return Future.succeededFuture();
          }
          // Three times as long as the batch took before the next one: the bulk action takes at most a quarter of
          // the database's time, the queue's work the rest.
          var pause = Math.max(1, PAUSE_FACTOR * (System.nanoTime() - started) / 1_000_000);
          var next = io.vertx.core.Promise.<Void>promise();
          queue.vertx().setTimer(pause,
              t -> batches(conn, action, actionId, actor, ids, from + BATCH).onComplete(next));
          return next.future();
        });
  }

  /** Tells workers and live views what a batch did: new runs to claim, queued runs cancelled, running runs to stop. */
  private void announce(Action action, RowSet<Row> rows) {
    var types = new HashSet<String>();
    for (var row : rows) {
      types.add(row.getString("type"));
      if (action == Action.CANCEL) {
        if ("running".equals(row.getString("found"))) {
          new RunCancel(row.getUUID("id")).publish(queue.vertx().eventBus());
        } else {
          queue.publishStatus(row.getUUID("id"), row.getString("type"), row.getString("job_id"), RunStatus.CANCELLED);
        }
      }
    }
    if (action == Action.RETRY) {
      queue.wake(types);
    }
  }

  /** Bulk actions and run-type changes, newest first; only those of {@code actorId} unless null. */
  public Future<JsonArray> recent(Long actorId, int limit) {
    return pool.preparedQuery(RunSql.LIST_ACTIONS).execute(Tuple.of(actorId, limit)).map(rows -> {
      var actions = new JsonArray();
      rows.forEach(row -> actions.add(new JsonObject()
          .put("id", row.getLong("id"))
          .put("actor", row.getString("actor"))
          .put("action", row.getString("action"))
          .put("target", row.getJson("target"))
          .put("matched", row.getInteger("matched"))
          .put("done", row.getInteger("done"))
          .put("skipped", row.getInteger("skipped"))
          .put("state", row.getString("state"))
          .put("started_at", RunJson.time(row.getOffsetDateTime("started_at")))
          .put("finished_at", RunJson.time(row.getOffsetDateTime("finished_at")))));
      return actions;
    });
  }
}
