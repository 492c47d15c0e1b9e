package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.common.config.Settings;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.ext.web.RoutingContext;

/**
 * Rate limits, answered 429 with {@code Retry-After}: per client address ({@code RATE_LIMIT_PER_ADDRESS_PER_MINUTE};
 * health and metrics have an allowance of their own, {@link #OPS_PER_ADDRESS_PER_MINUTE}), and per user on the API,
 * whichever of their keys or sessions they use ({@code RATE_LIMIT_PER_MINUTE}). The address is the TCP peer's: forwarded-for headers are not trusted, so behind
 * a reverse proxy every client shares the proxy's allowance and the per-key limit is the one that tells them apart.
 */
final class RequestLimits {

  /** Health and metrics: an allowance of their own, so probes and scrapes never wait behind API traffic. */
  static final int OPS_PER_ADDRESS_PER_MINUTE = 600;

  private final RateLimiter byAddress;
  private final RateLimiter opsByAddress = new RateLimiter(OPS_PER_ADDRESS_PER_MINUTE);
  private final RateLimiter byUser;

  RequestLimits(Settings settings) {
    byAddress = new RateLimiter(settings.rateLimitPerAddressPerMinute());
    byUser = new RateLimiter(settings.rateLimitPerMinute());
  }

  void perAddress(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    if (remote == null) {
      ctx.next();
      return;
    }
    var path = ctx.normalizedPath();
    var limiter = path.startsWith("/health/") || path.equals("/metrics") ? opsByAddress : byAddress;
    check(ctx, limiter.take(remote.hostAddress(), System.currentTimeMillis()), "this address");
  }

  /** Per user: every key and session of one user shares one allowance. */
  void perUser(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    if (principal == null || principal.userId() == null) {
      ctx.next();
      return;
    }
    check(ctx, byUser.take(String.valueOf(principal.userId()), System.currentTimeMillis()), "this user");
  }

  private static void check(RoutingContext ctx, long waitMillis, String who) {
    if (waitMillis == 0) {
      ctx.next();
      return;
    }
    var seconds = Math.max(1, (waitMillis + 999) / 1000);
    ctx.response().putHeader("Retry-After", String.valueOf(seconds));
    ctx.fail(new ServiceError(429, "rate_limited",
        "too many requests from " + who + "; try again in " + seconds + " s"));
  }
}
