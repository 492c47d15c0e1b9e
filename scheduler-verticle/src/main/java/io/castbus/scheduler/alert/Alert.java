package io.castbus.scheduler.alert;

import io.vertx.core.json.JsonObject;

/**
 * Something a person should hear about. {@code key} names the condition (one message per key per hour);
 * {@code ref}, when set, names the occurrence (the failed run), so replicas that each see it count it once.
 */
public record Alert(String key, String kind, String ref, String subject, String message, JsonObject metadata) {

  public static final String RUN_FAILED = "run_failed";
  public static final String RUN_OVERRUNNING = "run_overrunning";
  public static final String QUEUE_BACKLOG = "queue_backlog";
  public static final String NO_WORKER = "no_worker";

  public JsonObject toJson() {
    return new JsonObject().put("key", key).put("kind", kind).put("subject", subject).put("message", message)
        .put("metadata", metadata);
  }
}
