package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whose run is it: a run's owner id (null when none), asked of the runs service once per run and kept for the
 * {@value #MAX_OWNERS} runs seen last, so a user's live stream shows only their runs.
 */
final class RunOwners {

  private static final int MAX_OWNERS = 10_000;

  private final Vertx vertx;
  private final Map<String, Future<Long>> owners = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Future<Long>> eldest) {
      return size() > MAX_OWNERS;
    }
  };

  RunOwners(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The run's owner; futures of one run complete in the order they were asked for, so its events keep their order. */
  Future<Long> of(String runId) {
    return owners.computeIfAbsent(runId, id -> vertx.eventBus()
        .<JsonObject>request(Addresses.RUNS_GET, new JsonObject().put("id", id), BusCall.OPTIONS)
        .map(reply -> reply.body().getLong("owner_id"))
        .otherwise((Long) null));
  }

  /** Whether the run is already known to be the user's (no question asked). */
  boolean knownToBe(String runId, Long owner) {
    var known = runId == null ? null : owners.get(runId);
    return known != null && known.succeeded() && owner.equals(known.result());
  }
}
