package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * A run this worker holds the lease of. {@code firedBy} is the job that fired it or, for a child run, its parent:
 * what log lines name as its {@code job}.
 */
public record ClaimedRun(
    UUID id, String type, String jobId, UUID parentId, JsonObject payload, String owner, Long ownerId,
    Priority priority,
    int attempt, int maxAttempts, String firedBy) {

  static ClaimedRun from(Row row) {
    return new ClaimedRun(
        row.getUUID("id"),
        row.getString("type"),
        row.getString("job_id"),
        row.getUUID("parent_id"),
        row.getJsonObject("payload"),
        row.getString("owner"),
        row.getLong("owner_id"),
        Priority.ofRank(row.getInteger("priority")),
        row.getInteger("attempts"),
        row.getInteger("max_attempts"),
        row.getString("fired_by"));
  }
}
