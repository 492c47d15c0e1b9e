package io.castbus.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** Answers requests on an event-bus address with a handler's future: its value as the reply, its failure as a {@link ServiceError}. */
public final class BusService {

  private BusService() {
  }

  /** Registers the handler; the future completes once the consumer is registered (cluster-wide when clustered). */
  public static Future<Void> serve(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>consumer(address, (Message<JsonObject> msg) -> {
      Future<JsonObject> reply;
      try {
        reply = handler.apply(msg.body() == null ? new JsonObject() : msg.body());
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onSuccess(msg::reply).onFailure(e -> ServiceError.reply(msg, e));
    }).completion();
  }
}
