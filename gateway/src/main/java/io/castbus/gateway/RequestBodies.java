package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads request bodies, after the caller is known ({@link Authenticator} runs first): 1 MB, or 5 MB for an
 * authenticated caller's OPML import; at most {@link #IN_FLIGHT_BYTES} of bodies being received at once in this
 * process (a request beyond that answers 503 and its connection closes); and a body must have arrived
 * {@link #BODY_SECONDS} after its headers, else 408 and the connection closes.
 */
final class RequestBodies {

  static final long MAX_BODY_BYTES = 1024 * 1024;
  static final long MAX_IMPORT_BYTES = 5 * 1024 * 1024;
  static final long IN_FLIGHT_BYTES = 64L * 1024 * 1024;
  static final long BODY_SECONDS = 30;
  private static final String IMPORT_PATH = "/api/podcasts/import";

  private final Vertx vertx;
  private final AtomicLong inFlight = new AtomicLong();
  private final BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
  private final BodyHandler imports = BodyHandler.create(false).setBodyLimit(MAX_IMPORT_BYTES);

  RequestBodies(Vertx vertx) {
    this.vertx = vertx;
  }

  void handle(RoutingContext ctx) {
    var request = ctx.request();
    var importing = request.method() == HttpMethod.POST && IMPORT_PATH.equals(ctx.normalizedPath())
        && Authenticator.principal(ctx) != null;
    var limit = importing ? MAX_IMPORT_BYTES : MAX_BODY_BYTES;
    var length = declaredLength(ctx);
    if (request.isEnded() || length == 0) {
      bodies.handle(ctx);
      return;
    }
    var reserved = length < 0 || length > limit ? limit : length;
    if (inFlight.addAndGet(reserved) > IN_FLIGHT_BYTES) {
      inFlight.addAndGet(-reserved);
      ctx.response().putHeader("Retry-After", "1");
      HttpErrors.sendAndClose(ctx, ServiceError.unavailable(
          "too many request bodies are being received at once; try again shortly"));
      return;
    }
    var timer = vertx.setTimer(BODY_SECONDS * 1000, t -> {
      if (!request.isEnded() && !ctx.response().ended()) {
        HttpErrors.sendAndClose(ctx, new ServiceError(408, "request_timeout",
            "the request body did not arrive within " + BODY_SECONDS + " s"));
      }
    });
    ctx.addEndHandler(done -> {
      vertx.cancelTimer(timer);
      inFlight.addAndGet(-reserved);
    });
    (importing ? imports : bodies).handle(ctx);
  }

  /** Content-Length, 0 without a body, -1 when chunked. */
  private static long declaredLength(RoutingContext ctx) {
    var headers = ctx.request().headers();
    if (headers.contains("Transfer-Encoding")) {
      return -1;
    }
    var value = headers.get("Content-Length");
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
