package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A user asked to cancel a running run: the worker executing it stops it. */
public record RunCancel(UUID runId) {

  public static final String ADDRESS = Addresses.RUNS_CANCEL;

  public JsonObject toJson() {
    return new JsonObject().put("run_id", runId.toString());
  }

  public static RunCancel from(JsonObject json) {
    return new RunCancel(UUID.fromString(json.getString("run_id")));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
