package io.castbus.gateway.auth;

import io.castbus.common.ServiceError;
import io.castbus.common.config.Settings.AuthMode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts the request's {@link Principal} on the context, or fails it with 401. Keys come as {@code X-Api-Key} or
 * {@code Authorization: Bearer}; without a key, a dashboard session cookie ({@link Sessions}) will do, and then a
 * state-changing request must carry the session's CSRF token in {@code X-CSRF-Token} and, when the browser sends an
 * {@code Origin}, come from this same origin, else 403. Under {@code local-open}, a loopback client that is not
 * relaying for someone else (no {@code Forwarded} or {@code X-Forwarded-For} header) and that addressed a loopback
 * host name ({@link HostHeader}: not a name that merely starts with 127.) needs no key, but a state-changing request
 * from another site's page is refused all the same. The request is paused while the caller is looked up, so no
 * body is read for a caller that is refused.
 */
public final class Authenticator implements Handler<RoutingContext> {

  public static final String PRINCIPAL = "castbus.principal";
  /** Set on the context when the request was authenticated by a session cookie: the {@link Sessions.Session}. */
  public static final String SESSION = "castbus.session";

  private final AuthStore store;
  private final Sessions sessions;
  private final AuthMode mode;
  private final HostHeader hosts;

  public Authenticator(AuthStore store, Sessions sessions, AuthMode mode, HostHeader hosts) {
    this.store = store;
    this.sessions = sessions;
    this.mode = mode;
    this.hosts = hosts;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  @Override
  public void handle(RoutingContext ctx) {
    var key = presentedKey(ctx);
    // Nothing of the body is read before the caller is known: the body handler resumes the request.
    ctx.request().pause();
    if (key != null) {
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
      return;
    }
    var cookie = ctx.request().getCookie(Sessions.COOKIE);
    if (cookie == null || cookie.getValue().isBlank()) {
      withoutCredentials(ctx, false);
      return;
    }
    sessions.find(cookie.getValue()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        withoutCredentials(ctx, true);
      } else {
        var session = ar.result().get();
        if (changesState(ctx) && !sameOrigin(ctx)) {
          ctx.fail(crossSite());
        } else if (changesState(ctx)
            && !KeyHasher.same(session.csrf(), ctx.request().getHeader(Sessions.CSRF_HEADER))) {
          ctx.fail(new ServiceError(403, "forbidden",
              "a request made with a session cookie must carry the session's " + Sessions.CSRF_HEADER + " header"));
        } else {
          ctx.put(PRINCIPAL, session.principal());
          ctx.put(SESSION, session);
          ctx.next();
        }
      }
    });
  }

  private void withoutCredentials(RoutingContext ctx, boolean sessionEnded) {
    if (mode == AuthMode.LOCAL_OPEN && isLocal(ctx) && hosts.namesThisMachine(ctx.request().getHeader("Host"))) {
      if (changesState(ctx) && !sameOrigin(ctx)) {
        ctx.fail(crossSite());
        return;
      }
      ctx.put(PRINCIPAL, Principal.LOCAL);
      ctx.next();
    } else if (sessionEnded) {
      ctx.fail(new ServiceError(401, "unauthorized", "the session has ended; log in again with an API key"));
    } else {
      ctx.fail(new ServiceError(401, "unauthorized",
          "an API key is required: send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'"));
    }
  }

  private static ServiceError crossSite() {
    return new ServiceError(403, "forbidden", "a state-changing request from another origin is refused");
  }

  private static boolean changesState(RoutingContext ctx) {
    var method = ctx.request().method();
    return !(method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS);
  }

  /** No {@code Origin} (not a browser, or a same-origin GET), or one naming the host the request was sent to. */
  public static boolean sameOrigin(RoutingContext ctx) {
    var origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      return true;
    }
    var host = origin.replaceFirst("^https?://", "");
    if (host.equals(origin) || host.contains("/")) {
      return false;
    }
    var authority = ctx.request().authority();
    var requested = authority == null ? null
        : authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
    return host.equalsIgnoreCase(requested) || host.equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Host"));
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
