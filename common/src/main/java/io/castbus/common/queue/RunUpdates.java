package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
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
}
