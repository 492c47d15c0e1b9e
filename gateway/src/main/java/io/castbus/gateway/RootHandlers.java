package io.castbus.gateway;

import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** What every request passes through before its operation: answer headers, authentication, XML body labels. */
final class RootHandlers {

  static final String SESSION_PATH = "/api/session";

  private RootHandlers() {
  }

  /**
   * On every answer: no content sniffing. On API answers (some carry a new key or a session's CSRF token): never
   * stored by a browser or a proxy.
   */
  static void answerHeaders(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff");
    if (ctx.normalizedPath().startsWith("/api/")) {
      ctx.response().putHeader("Cache-Control", "no-store");
    }
    ctx.next();
  }

  /** Every API path but the OpenAPI document and the login itself needs a key or a session. */
  static Handler<RoutingContext> authenticate(Authenticator authenticator) {
    return ctx -> {
      var path = ctx.normalizedPath();
      if (path.startsWith("/api/") && !path.equals("/api/openapi.yaml")
          && !(path.equals(SESSION_PATH) && ctx.request().method() == HttpMethod.POST)) {
        authenticator.handle(ctx);
      } else {
        ctx.next();
      }
    };
  }

  /** An XML body is validated as octets (see {@link Contract}); its charset is kept for the service that reads it. */
  static void relabelXmlBody(RoutingContext ctx) {
    var contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null) {
      var parts = contentType.split(";");
      if (Contract.XML_BODIES.contains(parts[0].trim().toLowerCase(Locale.ROOT))) {
        for (var i = 1; i < parts.length; i++) {
          var p = parts[i].trim();
          if (p.regionMatches(true, 0, "charset=", 0, 8)) {
            ctx.put(ApiRequests.XML_CHARSET, p.substring(8).replace("\"", "").trim());
          }
        }
        ctx.request().headers().set("Content-Type", Contract.OCTETS);
      }
    }
    ctx.next();
  }
}
