package io.castbus.common.bus;

import io.castbus.common.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * API keys stopped working: one key ({@code keyId}), every key of a user ({@code userId}), or keys in general
 * (both null: an admin key rotated). Every gateway forgets its cached lookups and closes the live streams the
 * revoked keys opened.
 */
public record AuthRevoked(Long keyId, Long userId) {

  public static final String ADDRESS = Addresses.AUTH_REVOKED;

  public static AuthRevoked key(long keyId) {
    return new AuthRevoked(keyId, null);
  }

  public static AuthRevoked user(long userId) {
    return new AuthRevoked(null, userId);
  }

  public static AuthRevoked any() {
    return new AuthRevoked(null, null);
  }

  public JsonObject toJson() {
    var json = new JsonObject();
    if (keyId != null) {
      json.put("key_id", keyId);
    }
    if (userId != null) {
      json.put("user_id", userId);
    }
    return json;
  }

  public static AuthRevoked from(JsonObject json) {
    return new AuthRevoked(json.getLong("key_id"), json.getLong("user_id"));
  }

  public void publish(EventBus bus) {
    bus.publish(ADDRESS, toJson());
  }
}
