package io.castbus.common.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** What a handler knows of, and can do for, the run it serves. Use it from the handler's own context. */
public interface RunContext {

  /** The reason {@link #cancelled()} completes with when a person cancelled the run (not a shutdown or lost lease). */
  String USER_CANCEL = "cancelled by request";

  UUID runId();

  String type();

  /** The job that fired this run, or null for a run enqueued directly. */
  String jobId();

  JsonObject payload();

  String owner();

  /** 1 on the first attempt, 2 on the first retry, … */
  int attempt();

  Vertx vertx();

  /** Reports progress; written at most once a second, published at most once a second or every 5 %. */
  void progress(long current, Long total, String message);

  /** Appends a line to the run's output (the last 500 lines are kept). */
  void log(String line);

  /** Records an event on the run: its story, for diagnosing it from the API alone. */
  void event(EventLevel level, String message, JsonObject metadata);

  default void event(EventLevel level, String message) {
    event(level, message, null);
  }

  /** Whether the run has been cancelled, or must stop because this worker is shutting down. */
  boolean isCancelled();

  /** Completes (with the reason) when the run must stop: cancelled by a user, lease lost, or worker shutdown. */
  Future<String> cancelled();

  /** Enqueues a child run of this one; it inherits the owner. */
  Future<UUID> enqueue(NewRun child);
}
