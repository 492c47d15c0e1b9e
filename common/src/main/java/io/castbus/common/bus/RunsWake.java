package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/** Queued runs of {@code type} may be claimable now: every worker serving it claims. */
public record RunsWake(String type) {

  public static final String ADDRESS = Addresses.RUNS_WAKE;

  public JsonObject toJson() {
    return new JsonObject().put("type", type);
  }

  public static RunsWake from(JsonObject json) {
    return new RunsWake(json.getString("type"));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
