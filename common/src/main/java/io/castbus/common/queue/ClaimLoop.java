package io.castbus.common.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the runs of one type while this worker has room for them: one claim in flight at a time, as many runs as
 * free places (at most a batch), again at once while the queue gives full batches, and when woken (a run enqueued
 * or a place freed) or polled. Single-threaded: called on the worker's context only.
 */
final class ClaimLoop {

  private static final Logger LOG = LoggerFactory.getLogger(ClaimLoop.class);

  final String type;
  final JobTypeOptions options;
  final RunHandler handler;
  private final RunQueue queue;
  private final String workerId;
  private final WorkerOptions worker;
  private Context context;
  private Consumer<ClaimedRun> execute;

  private int running;
  private boolean claiming;
  private boolean again;
  private boolean drained;
  private boolean scheduled;
  private boolean stopped;
  private Future<Void> lastClaim = Future.succeededFuture();
  private RunTypeSetting setting = RunTypeSetting.NONE;

  ClaimLoop(String type, JobTypeOptions options, RunHandler handler, RunQueue queue, String workerId,
      WorkerOptions worker) {
    this.type = type;
    this.options = options;
    this.handler = handler;
    this.queue = queue;
    this.workerId = workerId;
    this.worker = worker;
  }

  void start(Context context, Consumer<ClaimedRun> execute) {
    this.context = context;
    this.execute = execute;
    wake();
  }

  /** Work may be waiting: claim as soon as the context is free. */
  void wake() {
    drained = false;
    schedule();
  }

  /** A run of this type ended here: its place is free. */
  void ended() {
    running--;
    if (!drained) {
      schedule();
    }
  }

  RunTypeSetting setting() {
    return setting;
  }

  /** The type was steered (paused, resumed, capped): claim by the new setting, at once if it allows. */
  void steer(RunTypeSetting steered) {
    setting = steered;
    wake();
  }

  /** Stops claiming; completes when the claim in flight, if any, has answered. */
  Future<Void> stop() {
    stopped = true;
    return lastClaim;
  }

  private void schedule() {
    if (scheduled || stopped || context == null) {
      return;
    }
    scheduled = true;
    context.runOnContext(v -> {
      scheduled = false;
      claim();
    });
  }

  private void claim() {
    if (stopped) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    var free = options.concurrencyUnder(setting.concurrency()) - running;
    if (free <= 0 || setting.paused()) {
      return;
    }
    var cap = setting.concurrency() != null ? setting.concurrency() : options.clusterConcurrency();
    var want = Math.min(free, worker.claimBatch());
    claiming = true;
    again = false;
    lastClaim = queue.claim(type, workerId, want, worker.lease(), options.maxAttempts(), cap)
        .onComplete(ar -> {
          claiming = false;
          if (ar.failed()) {
            LOG.warn("Worker {} could not claim {} runs: {}", workerId, type, ar.cause().getMessage());
            drained = true;
            return;
          }
          var runs = ar.result();
          drained = runs.size() < want;
          if (stopped) {
            return;
          }
          running += runs.size();
          runs.forEach(execute);
          if (!drained || again) {
            schedule();
          }
        })
        .mapEmpty();
  }
}
