package io.castbus.common.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Serves one run type: the future's value is the run's result; its failure (ideally a {@link RunFailure}) says why. */
@FunctionalInterface
public interface RunHandler {

  Future<JsonObject> handle(RunContext ctx);
}
