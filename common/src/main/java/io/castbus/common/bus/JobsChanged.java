package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Jobs changed in the database (one, named by {@code jobId}, or any number when it is null): schedulers re-read
 * their next due time.
 */
public record JobsChanged(String jobId) {

  public static final String ADDRESS = Addresses.JOBS_CHANGED;

  /** Several jobs changed (a registration). */
  public static JobsChanged several() {
    return new JobsChanged(null);
  }

  public JsonObject toJson() {
    return jobId == null ? new JsonObject() : new JsonObject().put("id", jobId);
  }

  public static JobsChanged from(JsonObject json) {
    return new JobsChanged(json == null ? null : json.getString("id"));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
