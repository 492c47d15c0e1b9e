package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A run's lifecycle or progress, as published to every process and streamed to browsers: {@code kind} is
 * {@code status} (the run entered {@code status}) or {@code progress} (a running run reported progress).
 *
 * @param progress {@code {"current", "total", "message"}}, or null
 */
public record RunUpdate(String kind, UUID runId, String type, String jobId, String status, JsonObject progress,
    Instant at) {

  public static final String ADDRESS = Addresses.RUNS_UPDATES;
  public static final String STATUS = "status";
  public static final String PROGRESS = "progress";

  public static RunUpdate status(UUID runId, String type, String jobId, String status) {
    return new RunUpdate(STATUS, runId, type, jobId, status, null, Instant.now());
  }

  public static RunUpdate progress(UUID runId, String type, String jobId, JsonObject progress) {
    return new RunUpdate(PROGRESS, runId, type, jobId, "running", progress, Instant.now());
  }

  public JsonObject toJson() {
    var json = new JsonObject()
        .put("kind", kind)
        .put("run_id", runId.toString())
        .put("type", type)
        .put("job_id", jobId)
        .put("status", status);
    if (progress != null) {
      json.put("progress", progress);
    }
    return json.put("at", at.toString());
  }

  public static RunUpdate from(JsonObject json) {
    return new RunUpdate(json.getString("kind", STATUS), UUID.fromString(json.getString("run_id")),
        json.getString("type"), json.getString("job_id"), json.getString("status"), json.getJsonObject("progress"),
        Instant.parse(json.getString("at")));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
