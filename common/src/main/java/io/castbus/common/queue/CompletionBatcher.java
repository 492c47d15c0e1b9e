package io.castbus.common.queue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a worker's completions in batches: those that arrive while a write is in flight go together in the next
 * one statement. A batch PostgreSQL refuses as data is written again one completion at a time, so the one it cannot
 * store fails its run alone; a batch refused for another reason (a lost connection) is retried whole.
 * Single-threaded: called on the worker's context only.
 */
final class CompletionBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(CompletionBatcher.class);
  private static final long RETRY_MILLIS = 1000;
  private static final long DRAIN_MILLIS = 5000;

  /** Where the batcher reports the runs it ended: completed, or failed because their result was unstorable. */
  interface Ended {
    void completed(Iterable<Row> runs);

    void failed(Row run);
  }

  private final Vertx vertx;
  private final RunQueue queue;
  private final String workerId;
  private final Ended ended;

  private JsonArray pending = new JsonArray();
  private JsonArray pendingEvents = new JsonArray();
  /** The batch being written: its leases are renewed until it is. */
  private JsonArray inFlight = new JsonArray();
  private boolean writing;
  private Promise<Void> drained;

  CompletionBatcher(Vertx vertx, RunQueue queue, String workerId, Ended ended) {
    this.vertx = vertx;
    this.queue = queue;
    this.workerId = workerId;
    this.ended = ended;
  }

  /** Queues a completion ({@code {id, attempt, result, progress?, lines?}}) and its last events, and writes. */
  void add(JsonObject completion, JsonArray events) {
    pending.add(completion);
    pendingEvents.addAll(events);
    write();
  }

  /** Whether nothing waits to be written. */
  boolean idle() {
    return !writing && pending.isEmpty();
  }

  /** Adds the claims ({@code {id, attempt}}) of every completion not yet written, whose leases must be kept. */
  void claimsInto(JsonArray claims) {
    for (var batch : new JsonArray[] {pending, inFlight}) {
      batch.forEach(row -> claims.add(new JsonObject().put("id", ((JsonObject) row).getString("id"))
          .put("attempt", ((JsonObject) row).getInteger("attempt"))));
    }
  }

  /** Writes what is pending; completes when it is written, or after five seconds whatever happened. */
  Future<Void> drain() {
    if (idle()) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    write();
    var timeout = Promise.<Void>promise();
    vertx.setTimer(DRAIN_MILLIS, t -> timeout.tryComplete());
    return Future.any(drained.future(), timeout.future()).mapEmpty();
  }

  private void write() {
    if (writing || pending.isEmpty()) {
      return;
    }
    writing = true;
    var batch = pending;
    var events = pendingEvents;
    inFlight = batch;
    pending = new JsonArray();
    pendingEvents = new JsonArray();
    queue.complete(batch, events, workerId).onComplete(ar -> {
      if (ar.failed() && unstorable(ar.cause())) {
        LOG.warn("Worker {}: PostgreSQL refused a batch of {} completion(s) ({}); recording them one by one",
            workerId, batch.size(), ar.cause().getMessage());
        oneByOne(batch, events).onComplete(v -> written(true));
        return;
      }
      if (ar.succeeded()) {
        ended.completed(ar.result());
        if (ar.result().size() < batch.size()) {
          LOG.warn("Worker {}: {} completion(s) arrived after their lease was lost and were not recorded", workerId,
              batch.size() - ar.result().size());
        }
        written(true);
      } else {
        LOG.warn("Worker {} could not record {} completion(s), retrying: {}", workerId, batch.size(),
            ar.cause().getMessage());
        pending.addAll(batch);
        pendingEvents.addAll(events);
        written(false);
        vertx.setTimer(RETRY_MILLIS, t -> write());
      }
    });
  }

  /** The write in flight ended; the next one starts now, or (after a refused write) when the retry timer fires. */
  private void written(boolean next) {
    inFlight = new JsonArray();
    writing = false;
    if (next) {
      write();
    }
    if (pending.isEmpty() && drained != null) {
      drained.tryComplete();
    }
  }

  /**
   * Each completion alone: one that cannot be stored fails its run with the database's message and every other
   * run completes. One refused for another reason waits for the next write, as a whole batch would.
   */
  private Future<Void> oneByOne(JsonArray batch, JsonArray events) {
    Future<Void> chain = Future.succeededFuture();
    for (var i = 0; i < batch.size(); i++) {
      var row = batch.getJsonObject(i);
      var runId = row.getString("id");
      var own = new JsonArray(events.stream().filter(e -> runId.equals(((JsonObject) e).getString("run_id")))
          .toList());
      chain = chain.compose(v -> queue.complete(new JsonArray().add(row), own, workerId)
          .onSuccess(ended::completed)
          .<Void>mapEmpty()
          .recover(e -> {
            if (!unstorable(e)) {
              pending.add(row);
              pendingEvents.addAll(own);
              return Future.succeededFuture();
            }
            return failUnstorable(UUID.fromString(runId), row.getInteger("attempt"), e);
          }));
    }
    return chain;
  }

  private Future<Void> failUnstorable(UUID runId, int attempt, Throwable cause) {
    var message = "its result could not be stored by PostgreSQL: " + cause.getMessage();
    var error = new JsonObject().put("code", "unstorable_result").put("message", message).put("permanent", true);
    LOG.warn("Run {}: {}", runId, message);
    return queue.endAttempt(runId, attempt, workerId, RunStatus.FAILED, Duration.ZERO, error, "error",
            "failed: " + message)
        .onSuccess(rows -> rows.forEach(ended::failed))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** PostgreSQL refused the values themselves (SQL state class 22, data exception, or 54, a limit exceeded). */
  private static boolean unstorable(Throwable e) {
    return e instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("54"));
  }
}
