package io.castbus.common.queue;

import io.castbus.common.bus.RunUpdate;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.UUID;

/** A run a worker is executing: the handler's {@link RunContext}, and the buffers the worker flushes. */
final class ActiveRun implements RunContext {

  private static final int MAX_LINE = 4_000;
  private static final int KEPT_LINES = 500;

  final ClaimedRun run;
  final long claimedNanos = System.nanoTime();
  private final Vertx vertx;
  private final RunQueue queue;
  private final Promise<String> cancellation = Promise.promise();

  /** Set when the worker has already decided the run's fate (cancelled, lease lost, shut down): the handler's
   * outcome no longer counts. */
  boolean endedByWorker;
  boolean finished;

  private JsonObject progress;
  private boolean progressDirty;
  private final ArrayDeque<String> lines = new ArrayDeque<>();
  private JsonArray events = new JsonArray();
  private long lastPublishMillis;
  private long lastPublishedPercent = -100;

  ActiveRun(Vertx vertx, RunQueue queue, ClaimedRun run) {
    this.vertx = vertx;
    this.queue = queue;
    this.run = run;
  }

  @Override
  public UUID runId() {
    return run.id();
  }

  @Override
  public String type() {
    return run.type();
  }

  @Override
  public String jobId() {
    return run.jobId();
  }

  @Override
  public JsonObject payload() {
    return run.payload();
  }

  @Override
  public String owner() {
    return run.owner();
  }

  @Override
  public int attempt() {
    return run.attempt();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public synchronized void progress(long current, Long total, String message) {
    progress = new JsonObject().put("current", current).put("total", total).put("message", message);
    progressDirty = true;
    var now = System.currentTimeMillis();
    var percent = total != null && total > 0 ? current * 100 / total : -1;
    var done = total != null && current >= total;
    if (now - lastPublishMillis >= 1000 || (percent >= 0 && percent - lastPublishedPercent >= 5) || done) {
      lastPublishMillis = now;
      lastPublishedPercent = percent;
      RunUpdate.progress(run.id(), run.type(), run.jobId(), progress.copy()).publish(vertx.eventBus());
    }
  }

  @Override
  public synchronized void log(String line) {
    lines.addLast(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line);
    if (lines.size() > KEPT_LINES) {
      lines.removeFirst();
    }
  }

  @Override
  public synchronized void event(EventLevel level, String message, JsonObject metadata) {
    events.add(new JsonObject()
        .put("run_id", run.id().toString())
        .put("at", Instant.now().toString())
        .put("level", level.wire())
        .put("context", run.type())
        .put("message", message)
        .put("metadata", metadata));
  }

  @Override
  public boolean isCancelled() {
    return cancellation.future().isComplete();
  }

  @Override
  public Future<String> cancelled() {
    return cancellation.future();
  }

  @Override
  public Future<UUID> enqueue(NewRun child) {
    var owned = child.owner() != null ? child : child.owner(run.owner(), run.ownerId());
    return queue.enqueue(owned.parent(run.id()));
  }

  void signalStop(String reason) {
    cancellation.tryComplete(reason);
  }

  /** This execution's claim, {@code {id, attempt}}: what every write after the claim is fenced on. */
  JsonObject claimRow() {
    return new JsonObject().put("id", run.id().toString()).put("attempt", run.attempt());
  }

  /**
   * Progress and output not yet written, as a {@code {id, attempt, progress, lines}} row, or null when there is
   * none.
   */
  synchronized JsonObject drainUpdate() {
    if (!progressDirty && lines.isEmpty()) {
      return null;
    }
    var row = claimRow();
    if (progressDirty) {
      row.put("progress", progress);
      progressDirty = false;
    }
    if (!lines.isEmpty()) {
      row.put("lines", new JsonArray(new java.util.ArrayList<Object>(lines)));
      lines.clear();
    }
    return row;
  }

  synchronized JsonArray drainEvents() {
    if (events.isEmpty()) {
      return events;
    }
    var drained = events;
    events = new JsonArray();
    return drained;
  }
}
