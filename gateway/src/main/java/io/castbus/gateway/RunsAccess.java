package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Runs as a {@code user} key sees them: only the runs it owns (listed, read, and their events); another user's run
 * answers 404 as if it did not exist. Admins see every run.
 */
final class RunsAccess {

  /** How long the gateway waits for a bulk action to end before answering that no service answered. */
  private static final DeliveryOptions BULK_OPTIONS =
      new DeliveryOptions().setSendTimeout(Duration.ofMinutes(5).toMillis());

  private RunsAccess() {
  }

  static Handler<RoutingContext> list() {
    return BusCall.to(Addresses.RUNS_LIST, 200, ctx -> {
      return owned(ctx, ApiRequests.listRuns(ctx));
    });
  }

  static Handler<RoutingContext> get() {
    return BusCall.answering(200, RunsAccess::visibleRun);
  }

  static Handler<RoutingContext> events() {
    return BusCall.answering(200, ctx -> {
      var q = ApiRequests.runEvents(ctx);
      var visible = Authenticator.principal(ctx).isAdmin() ? Future.succeededFuture() : visibleRun(ctx);
      return visible.compose(v -> request(ctx, Addresses.RUNS_EVENTS, q));
    });
  }

  /** A new run like a failed or cancelled one: users retry their own runs, admins any. */
  static Handler<RoutingContext> retry() {
    return BusCall.answering(202, ctx -> visibleRun(ctx)
        .compose(run -> request(ctx, Addresses.RUNS_RETRY, BusCall.id(ctx))));
  }

  /**
   * A bulk action: a user's touches only their own runs. The call answers when the action ends: 100 batches with
   * their pauses take seconds to tens of seconds, longer than other calls may.
   */
  static Handler<RoutingContext> bulk() {
    return BusCall.to(Addresses.RUNS_BULK, 200, BULK_OPTIONS, ctx -> owned(ctx, ApiRequests.bulkRuns(ctx)));
  }

  /** The recorded bulk actions and run-type changes: a user sees their own. */
  static Handler<RoutingContext> actions() {
    return BusCall.to(Addresses.RUN_ACTIONS_LIST, 200, ctx -> {
      var principal = Authenticator.principal(ctx);
      var q = new JsonObject().put("limit", Params.limit(ctx, 50));
      return principal.isAdmin() ? q : q.put("actor_id", principal.userId() == null ? -1L : principal.userId());
    });
  }

  private static JsonObject owned(RoutingContext ctx, JsonObject q) {
    var principal = Authenticator.principal(ctx);
    return principal.isAdmin() ? q : q.put("owner_id", principal.userId() == null ? -1L : principal.userId());
  }

  private static Future<JsonObject> visibleRun(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    return request(ctx, Addresses.RUNS_GET, BusCall.id(ctx)).map(run -> {
      if (!principal.isAdmin()
          && (principal.userId() == null || !principal.userId().equals(run.getLong("owner_id")))) {
        throw ServiceError.notFound("no run with id " + ctx.pathParam("id"));
      }
      return run;
    });
  }

  private static Future<JsonObject> request(RoutingContext ctx, String address, JsonObject body) {
    return ctx.vertx().eventBus().<JsonObject>request(address, body, BusCall.OPTIONS).map(Message::body);
  }
}
