package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Podcast search asks outside providers (iTunes, Podcast Index) on each uncached query, so each user may search
 * {@value #PER_MINUTE} times a minute (a dashboard searching as one types stays well inside it); beyond, 429 with
 * {@code Retry-After}.
 */
final class SearchLimit {

  static final int PER_MINUTE = 60;

  private SearchLimit() {
  }

  static Handler<RoutingContext> perUser() {
    var limiter = new RateLimiter(PER_MINUTE);
    return ctx -> {
      var principal = Authenticator.principal(ctx);
      var who = principal.userId() == null ? "local" : "user:" + principal.userId();
      var wait = limiter.take(who, System.currentTimeMillis());
      if (wait == 0) {
        ctx.next();
        return;
      }
      var seconds = Math.max(1, (wait + 999) / 1000);
      ctx.response().putHeader("Retry-After", String.valueOf(seconds));
      ctx.fail(new ServiceError(429, "rate_limited", "at most " + PER_MINUTE + " searches a minute; try again in "
          + seconds + " s"));
    };
  }
}
