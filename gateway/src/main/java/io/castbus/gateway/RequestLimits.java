package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.common.config.Settings;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.ext.web.RoutingContext;

/**
 * Rate limits, answered 429 with {@code Retry-After}: per client address on everything but health and metrics
 * ({@code RATE_LIMIT_PER_ADDRESS_PER_MINUTE}), and per API key, or the key behind a dashboard session, on the API
 * ({@code RATE_LIMIT_PER_MINUTE}). The address is the TCP peer's: forwarded-for headers are not trusted, so behind
 * a reverse proxy every client shares the proxy's allowance and the per-key limit is the one that tells them apart.
 */
final class RequestLimits {

  private final RateLimiter byAddress;
  private final RateLimiter byKey;

  RequestLimits(Settings settings) {
    byAddress = new RateLimiter(settings.rateLimitPerAddressPerMinute());
    byKey = new RateLimiter(settings.rateLimitPerMinute());
  }

  void perAddress(RoutingContext ctx) {
    var path = ctx.normalizedPath();
    var remote = ctx.request().remoteAddress();
    if (path.startsWith("/health/") || path.equals("/metrics") || remote == null) {
      ctx.next();
      return;
    }
    check(ctx, byAddress.take(remote.hostAddress(), System.currentTimeMillis()), "this address");
  }

  void perKey(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    if (principal == null || principal.keyId() == null) {
      ctx.next();
      return;
    }
    check(ctx, byKey.take(String.valueOf(principal.keyId()), System.currentTimeMillis()), "this API key");
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
