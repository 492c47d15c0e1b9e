package io.castbus.gateway;

import io.castbus.common.bus.AuthRevoked;
import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.castbus.gateway.auth.Principal;
import io.castbus.gateway.auth.Sessions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/session}: the dashboard trades an API key for an HttpOnly, SameSite=Strict session cookie and a CSRF
 * token, so the page never keeps the key; asks who it is; and logs out.
 */
final class SessionApi {

  private final AuthStore store;
  private final Sessions sessions;

  SessionApi(AuthStore store, Sessions sessions) {
    this.store = store;
    this.sessions = sessions;
  }

  /** {@code POST /api/session {"api_key"}}: no other credential needed, the key is the credential. */
  Handler<RoutingContext> login() {
    return BusCall.answering(201, ctx -> {
      if (!Authenticator.sameOrigin(ctx)) {
        throw new ServiceError(403, "forbidden", "a log-in from another origin is refused");
      }
      var key = ctx.body().asJsonObject().getString("api_key");
      return store.lookup(key).compose(found -> {
        if (found.isEmpty()) {
          return Future.failedFuture(new ServiceError(401, "unauthorized", "the API key is not valid (unknown or revoked)"));
        }
        var principal = found.get();
        return sessions.open(principal).map(opened -> {
          ctx.response().addCookie(cookie(ctx, opened.id()));
          return who(principal).put("csrf_token", opened.csrf()).put("expires_at", opened.expiresAt());
        });
      });
    });
  }

  /** {@code GET /api/session}: who the request acts as, and the CSRF token when it came with a session cookie. */
  Handler<RoutingContext> current() {
    return BusCall.answering(200, ctx -> {
      Sessions.Session session = ctx.get(Authenticator.SESSION);
      return Future.succeededFuture(who(Authenticator.principal(ctx))
          .put("csrf_token", session == null ? null : session.csrf()));
    });
  }

  /** {@code DELETE /api/session}: ends the cookie's session on every gateway and clears the cookie. */
  Handler<RoutingContext> logout() {
    return BusCall.answering(200, ctx -> {
      var cookie = ctx.request().getCookie(Sessions.COOKIE);
      var ended = cookie == null ? Future.<Void>succeededFuture() : sessions.close(cookie.getValue());
      var keyId = Authenticator.principal(ctx).keyId();
      return ended.map(v -> {
        if (cookie != null && keyId != null) {
          // The session's live streams close; those of the key's other sessions reconnect.
          UsersApi.revoked(ctx, AuthRevoked.key(keyId));
        }
        ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
        return new JsonObject().put("ended", true);
      });
    });
  }

  private static JsonObject who(Principal principal) {
    return new JsonObject().put("user", new JsonObject().put("id", principal.userId()).put("name", principal.name())
        .put("role", principal.role().wire()));
  }

  /** Secure when the client reached us over HTTPS, directly or through a proxy that says so. */
  private static Cookie cookie(RoutingContext ctx, String value) {
    var https = ctx.request().isSSL() || "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
    return Cookie.cookie(Sessions.COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(https);
  }
}
