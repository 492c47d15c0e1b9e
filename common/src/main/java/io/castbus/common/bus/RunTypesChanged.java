package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/** A run type was paused, resumed or given another cap: every worker serving it re-reads its settings. */
public record RunTypesChanged(String type) {

  public static final String ADDRESS = Addresses.RUN_TYPES_CHANGED;

  public JsonObject toJson() {
    return new JsonObject().put("type", type);
  }

  public static RunTypesChanged from(JsonObject json) {
    return new RunTypesChanged(json.getString("type"));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
