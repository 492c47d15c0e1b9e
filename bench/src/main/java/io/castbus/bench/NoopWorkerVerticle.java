package io.castbus.bench;

import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;

/**
 * One Castbus worker serving no-op runs, counting how often each run id reaches its handler; with events, each run
 * also reports progress, writes an output line and records an event.
 */
final class NoopWorkerVerticle extends VerticleBase {

  static final String TYPE = "noop";

  private final RunQueue queue;
  private final int concurrency;
  private final Map<UUID, Integer> executions;
  private final boolean events;
  private Worker worker;

  NoopWorkerVerticle(RunQueue queue, int concurrency, Map<UUID, Integer> executions, boolean events) {
    this.queue = queue;
    this.concurrency = concurrency;
    this.executions = executions;
    this.events = events;
  }

  @Override
  public Future<?> start() {
    worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
        .serve(TYPE, JobTypeOptions.DEFAULTS.concurrency(concurrency), this::handle);
    return worker.start();
  }

  @Override
  public Future<?> stop() {
    return worker.stop();
  }

  private Future<JsonObject> handle(RunContext run) {
    executions.merge(run.runId(), 1, Integer::sum);
    if (events) {
      run.progress(1, 1L, "handled");
      run.log("handled run " + run.runId());
      run.event(EventLevel.INFO, "handled");
    }
    return Future.succeededFuture(new JsonObject());
  }
}
