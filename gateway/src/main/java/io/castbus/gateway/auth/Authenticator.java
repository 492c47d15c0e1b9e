package io.castbus.gateway.auth;

import io.castbus.common.ServiceError;
import io.castbus.common.config.Settings.AuthMode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts the request's {@link Principal} on the context, or fails it with 401. Keys come as {@code X-Api-Key} or
 * {@code Authorization: Bearer}. Under {@code local-open}, a loopback client that is not relaying for someone else
 * (no {@code Forwarded} or {@code X-Forwarded-For} header) needs no key.
 */
public final class Authenticator implements Handler<RoutingContext> {

  public static final String PRINCIPAL = "castbus.principal";

  private final AuthStore store;
  private final AuthMode mode;

  public Authenticator(AuthStore store, AuthMode mode) {
    this.store = store;
    this.mode = mode;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  @Override
  public void handle(RoutingContext ctx) {
    var key = presentedKey(ctx);
    if (key == null) {
      if (mode == AuthMode.LOCAL_OPEN && isLocal(ctx)) {
        ctx.put(PRINCIPAL, Principal.LOCAL);
        ctx.next();
      } else {
        ctx.fail(new ServiceError(401, "unauthorized",
            "an API key is required: send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'"));
      }
      return;
    }
    store.lookup(key).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(new ServiceError(401, "unauthorized", "the API key is not valid (unknown or revoked)"));
      } else {
        ctx.put(PRINCIPAL, ar.result().get());
        ctx.next();
      }
    });
  }

  private static String presentedKey(RoutingContext ctx) {
    var header = ctx.request().getHeader("X-Api-Key");
    if (header != null && !header.isBlank()) {
      return header.trim();
    }
    var authorization = ctx.request().getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      var token = authorization.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }

  private static boolean isLocal(RoutingContext ctx) {
    var remote = ctx.request().connection().remoteAddress();
    if (remote == null || ctx.request().getHeader("Forwarded") != null
        || ctx.request().getHeader("X-Forwarded-For") != null) {
      return false;
    }
    var host = remote.hostAddress();
    return host != null && (host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
  }

  /** Fails the request with 403 unless it acts as an admin. */
  public static Handler<RoutingContext> requireAdmin() {
    return ctx -> {
      if (principal(ctx).isAdmin()) {
        ctx.next();
      } else {
        ctx.fail(new ServiceError(403, "forbidden", "this action needs an admin key"));
      }
    };
  }
}
