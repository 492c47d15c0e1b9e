package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A run to enqueue. {@code dedupeKey}, when set, keeps at most one queued-or-running run per type and key: enqueueing
 * a second one returns the first.
 */
public record NewRun(
    String type,
    JsonObject payload,
    Priority priority,
    String jobId,
    UUID parentId,
    String owner,
    Long ownerId,
    String dedupeKey,
    Instant notBefore,
    Instant dueAt) {

  public NewRun {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("a run needs a type");
    }
    payload = payload == null ? new JsonObject() : payload;
    priority = priority == null ? Priority.NORMAL : priority;
  }

  public static NewRun of(String type, JsonObject payload) {
    return new NewRun(type, payload, Priority.NORMAL, null, null, null, null, null, null, null);
  }

  public NewRun priority(Priority p) {
    return new NewRun(type, payload, p, jobId, parentId, owner, ownerId, dedupeKey, notBefore, dueAt);
  }

  public NewRun job(String id, Instant due) {
    return new NewRun(type, payload, priority, id, parentId, owner, ownerId, dedupeKey, notBefore, due);
  }

  public NewRun parent(UUID id) {
    return new NewRun(type, payload, priority, jobId, id, owner, ownerId, dedupeKey, notBefore, dueAt);
  }

  /** The user the run belongs to: their name, shown, and their id, which decides who sees it. */
  public NewRun owner(String name, Long id) {
    return new NewRun(type, payload, priority, jobId, parentId, name, id, dedupeKey, notBefore, dueAt);
  }

  public NewRun dedupe(String key) {
    return new NewRun(type, payload, priority, jobId, parentId, owner, ownerId, key, notBefore, dueAt);
  }

  public NewRun notBefore(Instant at) {
    return new NewRun(type, payload, priority, jobId, parentId, owner, ownerId, dedupeKey, at, dueAt);
  }

  JsonObject toRow(UUID id) {
    return new JsonObject()
        .put("id", id.toString())
        .put("type", type)
        .put("job_id", jobId)
        .put("parent_id", parentId == null ? null : parentId.toString())
        .put("dedupe_key", dedupeKey)
        .put("payload", payload)
        .put("owner", owner)
        .put("owner_id", ownerId)
        .put("priority", priority.rank())
        .put("not_before", notBefore == null ? null : notBefore.toString())
        .put("due_at", dueAt == null ? null : dueAt.toString());
  }
}
