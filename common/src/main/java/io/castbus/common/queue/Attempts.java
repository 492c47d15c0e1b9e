package io.castbus.common.queue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The attempts a worker is executing, by claim: starts a handler for each claimed run, and when it ends writes the
 * outcome — a completion (batched), a retry or failure as {@link FailurePolicy} decides, a postponement — or, when
 * the worker already ended it (a cancel, a lost lease, a shutdown), nothing. Single-threaded: called on the worker's
 * context only.
 */
final class Attempts implements LeaseKeeper.Findings, CompletionBatcher.Ended {

  private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

  private final Vertx vertx;
  private final RunQueue queue;
  private final String workerId;
  private final RunMetrics metrics;
  private final Map<String, ClaimLoop> loops;
  private final Map<UUID, ActiveRun> active = new HashMap<>();
  private final CompletionBatcher completions;
  private Context context;
  private Promise<Void> drained;

  Attempts(Vertx vertx, RunQueue queue, String workerId, RunMetrics metrics, Map<String, ClaimLoop> loops) {
    this.vertx = vertx;
    this.queue = queue;
    this.workerId = workerId;
    this.metrics = metrics;
    this.loops = loops;
    this.completions = new CompletionBatcher(vertx, queue, workerId, this);
  }

  void bind(Context context) {
    this.context = context;
  }

  /** The runs executing now, by id; read by the lease keeper and the progress flusher. */
  Map<UUID, ActiveRun> active() {
    return active;
  }

  CompletionBatcher completions() {
    return completions;
  }

  void execute(ClaimLoop loop, ClaimedRun claimed) {
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
    metrics.claimed(loop.type);
    queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(), RunStatus.RUNNING);
    var started = System.nanoTime();
    Future<JsonObject> outcome;
    try {
      outcome = loop.handler.handle(run);
      if (outcome == null) {
        outcome = Future.failedFuture(new IllegalStateException("the handler of " + loop.type + " returned no future"));
      }
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> onContext(() -> finish(loop, run, ar, System.nanoTime() - started)));
  }

  /** Tells every handler to stop; completes when all have ended (the caller bounds the wait). */
  Future<Void> stopAll(String reason) {
    drained = Promise.promise();
    // A copy: a handler may end, and leave `active`, as soon as it is signalled.
    java.util.List.copyOf(active.values()).forEach(run -> run.signalStop(reason));
    if (active.isEmpty()) {
      drained.tryComplete();
    }
    return drained.future();
  }

  /** The runs the stopping worker handed back: what their handlers do from now on is not written. */
  void handedBack(UUID runId) {
    var run = active.get(runId);
    if (run != null) {
      run.endedByWorker = true;
    }
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void finish(ClaimLoop loop, ActiveRun run, AsyncResult<JsonObject> outcome, long nanos) {
    if (run.finished) {
      return;
    }
    run.finished = true;
    active.remove(run.run.id(), run);
    if (!run.endedByWorker) {
      if (outcome.succeeded()) {
        metrics.finished(loop.type, RunStatus.COMPLETED, nanos);
        var row = run.drainUpdate();
        if (row == null) {
          row = run.claimRow();
        }
        completions.add(row.put("result", outcome.result()), run.drainEvents());
      } else {
        fail(loop, run, RunFailure.of(outcome.cause()), nanos);
      }
    }
    if (drained != null && active.isEmpty()) {
      drained.tryComplete();
    }
    loop.ended();
  }

  private void fail(ClaimLoop loop, ActiveRun run, RunFailure failure, long nanos) {
    var claimed = run.run;
    if (failure.postponed()) {
      postpone(loop, run, failure);
      return;
    }
    var decision = FailurePolicy.decide(claimed, failure, loop.options);
    if (decision.last()) {
      metrics.finished(loop.type, RunStatus.FAILED, nanos);
    } else {
      metrics.retried(loop.type);
    }
    RunLog.at(LOG, decision.last() ? Level.WARN : Level.INFO, claimed.id(), claimed.type(), claimed.firedBy(),
        claimed.payload()).log("Run {} ({}): {}", claimed.id(), claimed.type(), decision.message());
    writeLast(run).transform(v -> queue.endAttempt(claimed.id(), claimed.attempt(), workerId, decision.status(),
            decision.delay(), decision.error(), decision.level(), decision.message()))
        .onSuccess(rows -> {
          if (rows.size() > 0) {
            // A cancel asked for meanwhile wins over a retry: the database says which it became.
            var ended = RunStatus.parse(rows.iterator().next().getString("status"));
            queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(), ended);
            slotFreed(claimed.type());
            if (ended == RunStatus.QUEUED) {
              vertx.setTimer(Math.max(1, decision.delay().toMillis()), t -> loop.wake());
            }
          }
        })
        .onFailure(e -> LOG.warn("Run {}: could not record its failure ({}); its lease will expire", claimed.id(),
            e.getMessage()));
  }

  private void postpone(ClaimLoop loop, ActiveRun run, RunFailure failure) {
    var claimed = run.run;
    var wait = FailurePolicy.postponement(failure);
    LOG.debug("Run {} ({}) postponed {} ms: {}", claimed.id(), claimed.type(), wait.toMillis(), failure.getMessage());
    writeLast(run).transform(v -> queue.postpone(claimed.id(), claimed.attempt(), workerId, wait, failure.getMessage()))
        .onSuccess(rows -> {
          if (rows.size() > 0) {
            queue.publishStatus(claimed.id(), claimed.type(), claimed.jobId(),
                RunStatus.parse(rows.iterator().next().getString("status")));
            slotFreed(claimed.type());
            vertx.setTimer(Math.max(1, wait.toMillis()), t -> loop.wake());
          }
        })
        .onFailure(e -> LOG.warn("Run {}: could not postpone it ({}); its lease will expire", claimed.id(),
            e.getMessage()));
  }

  /** The run's last progress, output and events, before the statement that ends its attempt. */
  private Future<Void> writeLast(ActiveRun run) {
    var update = run.drainUpdate();
    return queue.flush(update == null ? new JsonArray() : new JsonArray().add(update), run.drainEvents(), workerId);
  }

  @Override
  public void cancelRequested(ActiveRun run) {
    run.endedByWorker = true;
    run.signalStop(RunContext.USER_CANCEL);
    queue.markCancelled(run.run.id(), run.run.attempt(), workerId, RunContext.USER_CANCEL).onSuccess(rows -> {
      if (rows.size() > 0) {
        metrics.finished(run.run.type(), RunStatus.CANCELLED, System.nanoTime() - run.claimedNanos);
        queue.publishStatus(run.run.id(), run.run.type(), run.run.jobId(), RunStatus.CANCELLED);
      }
    }).onFailure(e -> LOG.warn("Run {}: could not record its cancellation: {}", run.run.id(), e.getMessage()));
  }

  /** A cancel published for a run: honoured if this worker executes it. */
  void cancelPublished(UUID runId) {
    var run = active.get(runId);
    if (run != null) {
      cancelRequested(run);
    }
  }

  @Override
  public void leaseLost(ActiveRun run) {
    run.endedByWorker = true;
    run.signalStop("lease lost");
    RunLog.at(LOG, Level.WARN, run.run.id(), run.run.type(), run.run.firedBy(), run.run.payload())
        .log("Run {} ({}): worker {} lost its lease; another worker may run it", run.run.id(), run.run.type(),
            workerId);
  }

  @Override
  public void completed(Iterable<Row> rows) {
    var freed = new java.util.HashSet<String>();
    for (var row : rows) {
      queue.publishStatus(row.getUUID("id"), row.getString("type"), row.getString("job_id"), RunStatus.COMPLETED);
      freed.add(row.getString("type"));
    }
    freed.forEach(this::slotFreed);
  }

  @Override
  public void failed(Row row) {
    queue.publishStatus(row.getUUID("id"), row.getString("type"), row.getString("job_id"), RunStatus.FAILED);
    slotFreed(row.getString("type"));
  }

  /**
   * A run of {@code type} is no longer running in the database. Under a cluster-wide cap, a claim made before that
   * was written saw the cap still full; wake every worker of the type (this one too) so the freed place is taken at
   * once, not at the next poll.
   */
  private void slotFreed(String type) {
    var loop = loops.get(type);
    if (loop != null && loop.options.clusterConcurrency() > 0) {
      queue.wake(java.util.List.of(type));
    }
  }
}
