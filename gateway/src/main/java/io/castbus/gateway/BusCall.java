package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** One API call answered by a service over the event bus: request, reply as JSON, or the service's error. */
final class BusCall {

  static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private BusCall() {
  }

  /** Sends what {@code request} builds from the context to {@code address} and answers with the reply. */
  static io.vertx.core.Handler<RoutingContext> to(String address, int status,
      Function<RoutingContext, JsonObject> request) {
    return to(address, status, OPTIONS, request);
  }

  /** As {@link #to(String, int, Function)}, waiting for the reply as long as {@code options} say. */
  static io.vertx.core.Handler<RoutingContext> to(String address, int status, DeliveryOptions options,
      Function<RoutingContext, JsonObject> request) {
    return answering(status, ctx -> ctx.vertx().eventBus().<JsonObject>request(address, request.apply(ctx), options)
        .map(io.vertx.core.eventbus.Message::body));
  }

  /**
   * Answers with what {@code call} completes with, as JSON with {@code status}; a call that throws fails the route,
   * a call whose future fails answers the service's error.
   */
  static io.vertx.core.Handler<RoutingContext> answering(int status,
      Function<RoutingContext, io.vertx.core.Future<JsonObject>> call) {
    return ctx -> {
      io.vertx.core.Future<JsonObject> result;
      try {
        result = call.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onComplete(ar -> {
        if (ar.failed()) {
          HttpErrors.send(ctx, ServiceError.of(ar.cause()));
        } else {
          ctx.response()
              .setStatusCode(status)
              .putHeader("content-type", "application/json")
              .end(ar.result().encode());
        }
      });
    };
  }

  /** Sends the request and answers with one text field of the reply, as {@code contentType}. */
  static io.vertx.core.Handler<RoutingContext> text(String address, String field, String contentType,
      Function<RoutingContext, JsonObject> request) {
    return ctx -> ctx.vertx().eventBus().<JsonObject>request(address, request.apply(ctx), OPTIONS).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx, ServiceError.of(ar.cause()));
      } else {
        ctx.response().putHeader("content-type", contentType).end(ar.result().body().getString(field));
      }
    });
  }

  /** Who asks: the principal's name and user id as owner, and whether it acts as an admin (who sees everyone's things). */
  static JsonObject caller(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    return new JsonObject().put("owner", principal.name()).put("owner_id", principal.userId())
        .put("admin", principal.isAdmin());
  }

  /** The caller and the numeric {@code id} path parameter. */
  static JsonObject ownedId(RoutingContext ctx) {
    return caller(ctx).put("id", Params.pathLong(ctx, "id"));
  }

  static JsonObject id(RoutingContext ctx) {
    return new JsonObject().put("id", ctx.pathParam("id"));
  }
}
