package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/** Messages published on {@code castbus.runs.updates}: one shape for lifecycle and progress. */
public final class RunUpdates {

  private RunUpdates() {
  }

  public static JsonObject status(UUID id, String type, String jobId, RunStatus status) {
    return new JsonObject()
        .put("kind", "status")
        .put("run_id", id.toString())
        .put("type", type)
        .put("job_id", jobId)
        .put("status", status.wire())
        .put("at", Instant.now().toString());
  }

  public static JsonObject progress(UUID id, String type, String jobId, JsonObject progress) {
    return new JsonObject()
        .put("kind", "progress")
        .put("run_id", id.toString())
        .put("type", type)
        .put("job_id", jobId)
        .put("status", RunStatus.RUNNING.wire())
        .put("progress", progress)
        .put("at", Instant.now().toString());
  }

  /** A run's stored state as an update: {@code progress} for a running run with progress, else {@code status}. */
  static JsonObject snapshot(Row row) {
    var status = row.getString("status");
    var progress = (JsonObject) row.getJson("progress");
    var update = new JsonObject()
        .put("kind", RunStatus.RUNNING.wire().equals(status) && progress != null ? "progress" : "status")
        .put("run_id", row.getUUID("id").toString())
        .put("type", row.getString("type"))
        .put("job_id", row.getString("job_id"))
        .put("status", status);
    if (progress != null) {
      update.put("progress", progress);
    }
    return update.put("at", row.getOffsetDateTime("updated_at").toInstant().toString());
  }
}
