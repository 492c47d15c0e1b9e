package io.castbus.gateway;

import io.castbus.common.Notifications;
import io.castbus.common.ServiceError;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.TreeSet;

/**
 * {@code GET} and {@code PUT /api/me/notifications}: where the caller's good news goes by webhook, and which
 * ({@code episode_new}, {@code episode_downloaded}, {@code run_failed}). The URL is checked by the network policy
 * like any URL a user gives (private and metadata addresses refused, unless the operator allowed them).
 */
final class NotificationsApi {

  private final AuthStore store;
  private final NetworkPolicy policy;

  NotificationsApi(AuthStore store, NetworkPolicy policy) {
    this.store = store;
    this.policy = policy;
  }

  Handler<RoutingContext> get() {
    return BusCall.answering(200, ctx -> store.notifications(user(ctx)));
  }

  Handler<RoutingContext> put() {
    return BusCall.answering(200, ctx -> {
      var user = user(ctx);
      var body = ctx.body().asJsonObject();
      var url = body.getValue("webhook_url");
      if (url == null) {
        return store.setNotifications(user, null, null).compose(v -> store.notifications(user));
      }
      if (!(url instanceof String text)) {
        throw ServiceError.badRequest("webhook_url must be an http or https URL, or null to stop the deliveries");
      }
      var events = events(body.getValue("events"));
      return policy.check(ctx.vertx(), text)
          .recover(e -> Future.failedFuture(ServiceError.badRequest("webhook_url: " + e.getMessage())))
          .compose(target -> store.setNotifications(user, text, events))
          .compose(v -> store.notifications(user));
    });
  }

  private static java.util.List<String> events(Object value) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw ServiceError.badRequest("events must list at least one of " + String.join(", ",
          new TreeSet<>(Notifications.EVENTS)));
    }
    var events = new TreeSet<String>();
    for (var e : array) {
      if (!(e instanceof String name) || !Notifications.EVENTS.contains(name)) {
        throw ServiceError.badRequest("events: '" + e + "' is not an event; the events are " + String.join(", ",
            new TreeSet<>(Notifications.EVENTS)));
      }
      events.add(name);
    }
    return new ArrayList<>(events);
  }

  private static long user(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    if (principal.userId() == null) {
      throw ServiceError.conflict("the local operator has no user to hold notifications: use an API key");
    }
    return principal.userId();
  }
}
