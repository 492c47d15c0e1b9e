package io.castbus.common.queue;

import io.castbus.common.Addresses;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Serves run types from the durable queue: claims runs in batches under a lease, executes their handlers,
 * renews leases, writes progress and outcomes in batches, retries with backoff, honours cancellation, and hands
 * its runs back when stopped. Create it in a verticle's {@code start()} and stop it in {@code stop()}; all its
 * state lives on that verticle's context.
 *
 * <pre>{@code
 * worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
 *     .serve("refresh_feed", JobTypeOptions.DEFAULTS, refresher::refresh);
 * return worker.start();
 * }</pre>
 */
public final class Worker {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final int RECLAIM_BATCH = 500;
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);
  private static final String HOST = hostName();

  private final Vertx vertx;
  private final RunQueue queue;
  private final WorkerOptions options;
  private final String id;
  private final RunMetrics metrics;
  private final Map<String, Served> served = new LinkedHashMap<>();
  private final Map<UUID, ActiveRun> active = new HashMap<>();
  private final List<Long> timers = new ArrayList<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  private Context context;
  private boolean stopping;
  private JsonArray pendingCompletions = new JsonArray();
  /** The completion batch being written: its leases are renewed until it is. */
  private JsonArray inFlight = new JsonArray();
  private JsonArray pendingEvents = new JsonArray();
  private boolean completing;
  private Promise<Void> drained;
  private Promise<Void> completionsDrained;

  public Worker(Vertx vertx, RunQueue queue, WorkerOptions options) {
    this.vertx = vertx;
    this.queue = queue;
    this.options = options;
    this.id = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    this.metrics = RunMetrics.create();
  }

  public String id() {
    return id;
  }

  public Worker serve(String type, JobTypeOptions typeOptions, RunHandler handler) {
    served.put(type, new Served(type, typeOptions, handler));
    return this;
  }

  /** Runs executing now in this worker. */
  public int activeCount() {
    return active.size();
  }

  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_WAKE, msg -> {
      var s = served.get(msg.body().getString("type"));
      if (s != null) {
        s.drained = false;
        scheduleClaim(s);
      }
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_CANCEL, msg -> {
      var run = active.get(UUID.fromString(msg.body().getString("run_id")));
      if (run != null) {
        cancelByRequest(run);
      }
    }));
    timers.add(vertx.setPeriodic(options.poll().toMillis(), t -> served.values().forEach(s -> {
      s.drained = false;
      scheduleClaim(s);
    })));
    timers.add(vertx.setPeriodic(options.lease().toMillis() / 3, t -> {
      renewLeases();
      heartbeat();
    }));
    timers.add(vertx.setPeriodic(options.flush().toMillis(), t -> flushRunning()));
    var jitter = ThreadLocalRandom.current().nextLong(Math.max(1, options.reap().toMillis() / 2));
    timers.add(vertx.setPeriodic(jitter + 1, options.reap().toMillis(), t -> reclaimExpired()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> {
          heartbeat();
          LOG.info("Worker {} serves {}", id, served.keySet());
          served.values().forEach(this::scheduleClaim);
        })
        .mapEmpty();
  }

  /** Stops claiming, lets handlers that are ending finish briefly, writes their outcomes and hands the rest back. */
  public Future<Void> stop() {
    if (stopping) {
      return Future.succeededFuture();
    }
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    var unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    var claims = Future.join(served.values().stream().map(s -> s.lastClaim).toList());
    // A copy: a handler may end, and leave `active`, as soon as it is signalled.
    List.copyOf(active.values()).forEach(run -> run.signalStop("worker " + id + " is shutting down"));
    drained = Promise.promise();
    if (active.isEmpty()) {
      drained.tryComplete();
    }
    var grace = Promise.<Void>promise();
    var timer = vertx.setTimer(SHUTDOWN_GRACE.toMillis(), t -> grace.tryComplete());
    drained.future().onComplete(v -> grace.tryComplete());
    return Future.join(unregistered, claims, grace.future())
        .transform(v -> {
          vertx.cancelTimer(timer);
          return flushCompletionsNow();
        })
        .transform(v -> queue.forgetWorker(id).transform(forgotten -> queue.handBack(id)))
        .map(rows -> {
          var types = new HashSet<String>();
          for (var row : rows) {
            var runId = row.getUUID("id");
            types.add(row.getString("type"));
            queue.publishStatus(runId, row.getString("type"), row.getString("job_id"),
                RunStatus.parse(row.getString("status")));
            var run = active.get(runId);
            if (run != null) {
              run.endedByWorker = true;
            }
          }
          if (!types.isEmpty()) {
            LOG.info("Worker {} handed {} run(s) back to the queue", id, rows.size());
            queue.wake(types);
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.warn("Worker {} could not hand its runs back; their leases will expire: {}", id, e.getMessage());
          return Future.succeededFuture();
        });
  }

  private void scheduleClaim(Served s) {
    if (s.claimScheduled || stopping) {
      return;
    }
    s.claimScheduled = true;
    context.runOnContext(v -> {
      s.claimScheduled = false;
      claim(s);
    });
  }

  private void claim(Served s) {
    if (stopping) {
      return;
    }
    if (s.claiming) {
      s.again = true;
      return;
    }
    var free = s.options.concurrency() - s.running;
    if (free <= 0) {
      return;
    }
    var want = Math.min(free, options.claimBatch());
    s.claiming = true;
    s.again = false;
    s.lastClaim = queue.claim(s.type, id, want, options.lease(), s.options.maxAttempts(), s.options.clusterConcurrency())
        .onComplete(ar -> {
          s.claiming = false;
          if (ar.failed()) {
            LOG.warn("Worker {} could not claim {} runs: {}", id, s.type, ar.cause().getMessage());
            s.drained = true;
            return;
          }
          var runs = ar.result();
          s.drained = runs.size() < want;
          if (stopping) {
            return;
          }
          runs.forEach(run -> execute(s, run));
          if (!s.drained || s.again) {
            scheduleClaim(s);
          }
        })
        .mapEmpty();
  }

  private void execute(Served s, ClaimedRun claimed) {
    var run = new ActiveRun(vertx, queue, claimed);
    var previous = active.put(claimed.id(), run);
    if (previous != null && !previous.endedByWorker) {
      // This worker claimed the run again after its lease lapsed: the earlier attempt's claim is gone.
      previous.endedByWorker = true;
      previous.signalStop("claimed again");
      RunLog.at(LOG, Level.WARN, claimed.id(), claimed.type(), claimed.firedBy(), claimed.payload())
          .log("Run {} ({}): attempt {} stopped, its claim is gone (attempt {} holds it now)", claimed.id(),
              claimed.type(), previous.run.attempt(), claimed.attempt());
    }
    s.running++;
    metrics.claimed(s.type);
    queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(), RunStatus.RUNNING);
    var started = System.nanoTime();
    Future<JsonObject> outcome;
    try {
      outcome = s.handler.handle(run);
      if (outcome == null) {
        outcome = Future.failedFuture(new IllegalStateException("the handler of " + s.type + " returned no future"));
      }
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> onContext(() -> finish(s, run, ar, System.nanoTime() - started)));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void finish(Served s, ActiveRun run, AsyncResult<JsonObject> outcome, long nanos) {
    if (run.finished) {
      return;
    }
    run.finished = true;
    active.remove(run.run.id(), run);
    s.running--;
    if (!run.endedByWorker) {
      if (outcome.succeeded()) {
        metrics.finished(s.type, RunStatus.COMPLETED, nanos);
        var row = run.drainUpdate();
        if (row == null) {
          row = run.claimRow();
        }
        pendingCompletions.add(row.put("result", outcome.result()));
        pendingEvents.addAll(run.drainEvents());
        flushCompletions();
      } else {
        fail(s, run, RunFailure.of(outcome.cause()), nanos);
      }
    }
    if (drained != null && active.isEmpty()) {
      drained.tryComplete();
    }
    if (!s.drained) {
      scheduleClaim(s);
    }
  }

  private void fail(Served s, ActiveRun run, RunFailure failure, long nanos) {
    var claimed = run.run;
    if (failure.postponed()) {
      postpone(s, run, failure);
      return;
    }
    var last = failure.permanent() || claimed.attempt() >= claimed.maxAttempts();
    var error = new JsonObject()
        .put("code", failure.code())
        .put("message", failure.getMessage())
        .put("permanent", failure.permanent())
        .put("attempt", claimed.attempt());
    Duration wait;
    String message;
    if (last) {
      wait = Duration.ZERO;
      message = (failure.permanent() ? "failed (not retried: " + failure.code() + "): " : "failed after attempt "
          + claimed.attempt() + " of " + claimed.maxAttempts() + ": ") + failure.getMessage();
      metrics.finished(s.type, RunStatus.FAILED, nanos);
    } else {
      wait = s.options.backoffAfter(claimed.attempt());
      if (failure.retryAfterHint() != null && failure.retryAfterHint().compareTo(wait) > 0) {
        wait = failure.retryAfterHint();
      }
      message = "attempt " + claimed.attempt() + " of " + claimed.maxAttempts() + " failed, retrying in "
          + wait.toMillis() + " ms: " + failure.getMessage();
      metrics.retried(s.type);
    }
    RunLog.at(LOG, last ? Level.WARN : Level.INFO, claimed.id(), claimed.type(), claimed.firedBy(), claimed.payload())
        .log("Run {} ({}): {}", claimed.id(), claimed.type(), message);
    var status = last ? RunStatus.FAILED : RunStatus.QUEUED;
    var retryIn = wait;
    var update = run.drainUpdate();
    var events = run.drainEvents();
    queue.flush(update == null ? new JsonArray() : new JsonArray().add(update), events, id)
        .transform(v -> queue.endAttempt(claimed.id(), claimed.attempt(), id, status, retryIn, error,
            last ? "error" : "warn", message))
        .onSuccess(rows -> {
          if (rows.size() > 0) {
            // A cancel asked for meanwhile wins over a retry: the database says which it became.
            var ended = RunStatus.parse(rows.iterator().next().getString("status"));
            queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(), ended);
            slotFreed(claimed.type());
            if (ended == RunStatus.QUEUED) {
              vertx.setTimer(Math.max(1, retryIn.toMillis()), t -> {
                s.drained = false;
                scheduleClaim(s);
              });
            }
          }
        })
        .onFailure(e -> LOG.warn("Run {}: could not record its failure ({}); its lease will expire", claimed.id(),
            e.getMessage()));
  }

  private void postpone(Served s, ActiveRun run, RunFailure failure) {
    var claimed = run.run;
    var wait = failure.retryAfterHint() == null ? Duration.ofSeconds(1) : failure.retryAfterHint();
    LOG.debug("Run {} ({}) postponed {} ms: {}", claimed.id(), claimed.type(), wait.toMillis(), failure.getMessage());
    var update = run.drainUpdate();
    queue.flush(update == null ? new JsonArray() : new JsonArray().add(update), run.drainEvents(), id)
        .transform(v -> queue.postpone(claimed.id(), claimed.attempt(), id, wait, failure.getMessage()))
        .onSuccess(rows -> {
          if (rows.size() > 0) {
            queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(),
                RunStatus.parse(rows.iterator().next().getString("status")));
            slotFreed(claimed.type());
            vertx.setTimer(Math.max(1, wait.toMillis()), t -> {
              s.drained = false;
              scheduleClaim(s);
            });
          }
        })
        .onFailure(e -> LOG.warn("Run {}: could not postpone it ({}); its lease will expire", claimed.id(),
            e.getMessage()));
  }

  /**
   * A run of {@code type} is no longer running in the database. Under a cluster-wide cap, a claim made before that
   * was written saw the cap still full; wake every worker of the type (this one too) so the freed place is taken at
   * once, not at the next poll.
   */
  private void slotFreed(String type) {
    var s = served.get(type);
    if (s != null && s.options.clusterConcurrency() > 0) {
      queue.wake(List.of(type));
    }
  }

  private void flushCompletions() {
    if (completing || pendingCompletions.isEmpty()) {
      return;
    }
    completing = true;
    var batch = pendingCompletions;
    inFlight = batch;
    var events = pendingEvents;
    pendingCompletions = new JsonArray();
    pendingEvents = new JsonArray();
    queue.complete(batch, events, id)
        .onComplete(ar -> {
          if (ar.failed() && unstorable(ar.cause())) {
            LOG.warn("Worker {}: PostgreSQL refused a batch of {} completion(s) ({}); recording them one by one", id,
                batch.size(), ar.cause().getMessage());
            completeOneByOne(batch, events).onComplete(v -> {
              inFlight = new JsonArray();
              completing = false;
              flushCompletions();
              if (pendingCompletions.isEmpty() && completionsDrained != null) {
                completionsDrained.tryComplete();
              }
            });
            return;
          }
          inFlight = new JsonArray();
          completing = false;
          if (ar.succeeded()) {
            completed(ar.result());
            if (ar.result().size() < batch.size()) {
              LOG.warn("Worker {}: {} completion(s) arrived after their lease was lost and were not recorded", id,
                  batch.size() - ar.result().size());
            }
            flushCompletions();
          } else {
            LOG.warn("Worker {} could not record {} completion(s), retrying: {}", id, batch.size(),
                ar.cause().getMessage());
            pendingCompletions.addAll(batch);
            pendingEvents.addAll(events);
            vertx.setTimer(1000, t -> flushCompletions());
          }
          if (pendingCompletions.isEmpty() && completionsDrained != null) {
            completionsDrained.tryComplete();
          }
        });
  }

  private void completed(RowSet<Row> rows) {
    var freed = new HashSet<String>();
    for (var row : rows) {
      queue.publishStatus(row.getUUID("id"), row.getString("type"), row.getString("job_id"), RunStatus.COMPLETED);
      freed.add(row.getString("type"));
    }
    freed.forEach(this::slotFreed);
  }

  /**
   * A batch PostgreSQL refused as data: each completion alone, so one that cannot be stored fails its run with the
   * database's message and every other run completes. A completion refused for another reason waits for the next
   * flush, as a whole batch would.
   */
  private Future<Void> completeOneByOne(JsonArray batch, JsonArray events) {
    Future<Void> chain = Future.succeededFuture();
    for (var i = 0; i < batch.size(); i++) {
      var row = batch.getJsonObject(i);
      var runId = row.getString("id");
      var own = new JsonArray(events.stream().filter(e -> runId.equals(((JsonObject) e).getString("run_id")))
          .toList());
      chain = chain.compose(v -> queue.complete(new JsonArray().add(row), own, id)
          .onSuccess(this::completed)
          .<Void>mapEmpty()
          .recover(e -> {
            if (!unstorable(e)) {
              pendingCompletions.add(row);
              pendingEvents.addAll(own);
              return Future.succeededFuture();
            }
            var message = "its result could not be stored by PostgreSQL: " + e.getMessage();
            var error = new JsonObject().put("code", "unstorable_result").put("message", message)
                .put("permanent", true);
            LOG.warn("Run {}: {}", runId, message);
            return queue.endAttempt(UUID.fromString(runId), row.getInteger("attempt"), id, RunStatus.FAILED,
                    Duration.ZERO, error, "error", "failed: " + message)
                .onSuccess(rows -> rows.forEach(r -> {
                  queue.publishStatus(r.getUUID("id"), r.getString("type"), r.getString("job_id"), RunStatus.FAILED);
                  slotFreed(r.getString("type"));
                }))
                .<Void>mapEmpty()
                .otherwiseEmpty();
          }));
    }
    return chain;
  }

  /** PostgreSQL refused the values themselves (SQL state class 22, data exception, or 54, a limit exceeded). */
  private static boolean unstorable(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("54"));
  }

  private Future<Void> flushCompletionsNow() {
    if (!completing && pendingCompletions.isEmpty()) {
      return Future.succeededFuture();
    }
    completionsDrained = Promise.promise();
    flushCompletions();
    var timeout = Promise.<Void>promise();
    vertx.setTimer(5000, t -> timeout.tryComplete());
    return Future.any(completionsDrained.future(), timeout.future()).mapEmpty();
  }

  private void flushRunning() {
    var updates = new JsonArray();
    var events = new JsonArray();
    for (var run : active.values()) {
      if (run.endedByWorker) {
        continue;
      }
      var update = run.drainUpdate();
      if (update != null) {
        updates.add(update);
      }
      events.addAll(run.drainEvents());
    }
    if (!updates.isEmpty() || !events.isEmpty()) {
      queue.flush(updates, events, id)
          .onFailure(e -> LOG.warn("Worker {} could not write progress: {}", id, e.getMessage()));
    }
  }

  private void renewLeases() {
    if (active.isEmpty() && !completing && pendingCompletions.isEmpty()) {
      return;
    }
    var sent = System.nanoTime();
    // Only the claims this worker executes or is still completing: an orphan row keeps its lease to expiry.
    var claims = new JsonArray();
    active.values().forEach(run -> claims.add(run.claimRow()));
    for (var pending : List.of(pendingCompletions, inFlight)) {
      pending.forEach(row -> claims.add(new JsonObject().put("id", ((JsonObject) row).getString("id"))
          .put("attempt", ((JsonObject) row).getInteger("attempt"))));
    }
    if (claims.isEmpty()) {
      return;
    }
    queue.renewLeases(id, options.lease(), claims).onSuccess(rows -> {
      var held = new HashSet<String>();
      for (var row : rows) {
        var runId = row.getUUID("id");
        held.add(runId + "/" + row.getInteger("attempts"));
        var run = active.get(runId);
        if (run != null && run.run.attempt() == row.getInteger("attempts") && row.getBoolean("cancel_requested")
            && !run.endedByWorker) {
          cancelByRequest(run);
        }
      }
      for (var run : List.copyOf(active.values())) {
        if (!held.contains(run.run.id() + "/" + run.run.attempt()) && !run.endedByWorker
            && run.claimedNanos < sent) {
          run.endedByWorker = true;
          run.signalStop("lease lost");
          RunLog.at(LOG, Level.WARN, run.run.id(), run.run.type(), run.run.firedBy(), run.run.payload())
              .log("Run {} ({}): worker {} lost its lease; another worker may run it", run.run.id(), run.run.type(), id);
        }
      }
    }).onFailure(e -> LOG.warn("Worker {} could not renew its leases: {}", id, e.getMessage()));
  }

  private void heartbeat() {
    queue.heartbeat(id, HOST, served.keySet())
        .onFailure(e -> LOG.warn("Worker {} could not record its heartbeat: {}", id, e.getMessage()));
  }

  private void cancelByRequest(ActiveRun run) {
    run.endedByWorker = true;
    run.signalStop("cancelled by request");
    queue.markCancelled(run.run.id(), run.run.attempt(), id, "cancelled by request").onSuccess(rows -> {
      if (rows.size() > 0) {
        metrics.finished(run.run.type(), RunStatus.CANCELLED, System.nanoTime() - run.claimedNanos);
        queue.publishStatus(run.run.id(), run.run.type(), run.run.jobId(), RunStatus.CANCELLED);
      }
    }).onFailure(e -> LOG.warn("Run {}: could not record its cancellation: {}", run.run.id(), e.getMessage()));
  }

  private void reclaimExpired() {
    queue.reclaimExpired(RECLAIM_BATCH).onSuccess(rows -> {
      var requeued = new HashSet<String>();
      for (var row : rows) {
        var runId = row.getUUID("id");
        var status = RunStatus.parse(row.getString("status"));
        metrics.stalled(row.getString("type"));
        LOG.warn("Run {} ({}) stalled: its worker stopped renewing the lease; now {}", runId, row.getString("type"),
            status.wire());
        queue.publishStatus(runId, row.getString("type"), row.getString("job_id"), RunStatus.STALLED);
        queue.publishStatus(runId, row.getString("type"), row.getString("job_id"), status);
        if (status == RunStatus.QUEUED) {
          requeued.add(row.getString("type"));
        }
      }
      queue.wake(requeued);
    }).onFailure(e -> LOG.debug("Worker {} could not look for stalled runs: {}", id, e.getMessage()));
  }

  private static final class Served {
    final String type;
    final JobTypeOptions options;
    final RunHandler handler;
    int running;
    boolean claiming;
    boolean again;
    boolean drained;
    boolean claimScheduled;
    Future<Void> lastClaim = Future.succeededFuture();

    Served(String type, JobTypeOptions options, RunHandler handler) {
      this.type = type;
      this.options = options;
      this.handler = handler;
    }
  }

  private static String hostName() {
    var env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
