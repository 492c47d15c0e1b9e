package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into {@code {"error", "message"}} with the right status; nothing escapes as HTML. */
final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  static void handle(RoutingContext ctx) {
    var error = toError(ctx);
    if (error.status() >= 500 && error.status() != 503) {
      LOG.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), error.getMessage(), ctx.failure());
    }
    send(ctx, error);
  }

  /** A request that is not valid HTTP, or too large to parse, still gets the JSON error shape; the connection closes. */
  static void invalidRequest(HttpServerRequest request) {
    var cause = request.decoderResult().cause();
    ServiceError error;
    if (cause instanceof TooLongHttpLineException) {
      error = ofStatus(414, null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ofStatus(431, null);
    } else {
      // The decoder's message may quote the offending header, a key among them: never echoed.
      error = ServiceError.badRequest("the request is not valid HTTP (its request line or a header is malformed)");
    }
    sendAndClose(request, error);
  }

  static void send(RoutingContext ctx, ServiceError error) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (!ctx.request().isEnded()) {
      // The body was not read (a refused caller, a body too large): it is dropped, never read as a request.
      sendAndLinger(ctx.request(), error);
      return;
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .end(error.toJson().encode());
  }

  /** The error, then the connection closes: for a request whose remaining bytes must not be read as another. */
  static void sendAndClose(RoutingContext ctx, ServiceError error) {
    sendAndClose(ctx.request(), error);
  }

  /** How long, and how much of an unread body, a closing connection still takes in after its answer. */
  static final long LINGER_MILLIS = 2_000;
  static final long LINGER_BYTES = 16L * 1024 * 1024;

  static void sendAndClose(HttpServerRequest request, ServiceError error) {
    request.response()
        .setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(error.toJson().encode())
        .onComplete(done -> request.connection().close());
  }

  /**
   * Answers a request whose well-framed body the answer did not need (too large, a refused caller), then closes
   * the connection — after taking in and dropping what the client is still sending, for a moment: a lingering
   * close, as web servers do, so the client reads the answer instead of a reset (closing with unread bytes makes
   * the kernel reset the connection, which can destroy the answer before the client reads it). Never more than
   * {@value #LINGER_BYTES} bytes or {@value #LINGER_MILLIS} ms; the bytes are discarded, never parsed.
   */
  static void sendAndLinger(HttpServerRequest request, ServiceError error) {
    var connection = request.connection();
    request.response()
        .setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(error.toJson().encode())
        .onComplete(done -> {
          if (request.isEnded()) {
            connection.close();
            return;
          }
          var vertx = io.vertx.core.Vertx.currentContext() == null ? null : io.vertx.core.Vertx.currentContext().owner();
          if (vertx == null) {
            connection.close();
            return;
          }
          var taken = new long[1];
          var timer = vertx.setTimer(LINGER_MILLIS, t -> connection.close());
          try {
            request.handler(chunk -> {
              taken[0] += chunk.length();
              if (taken[0] > LINGER_BYTES) {
                vertx.cancelTimer(timer);
                connection.close();
              }
            });
            request.endHandler(v -> {
              vertx.cancelTimer(timer);
              connection.close();
            });
            request.exceptionHandler(e -> {
              vertx.cancelTimer(timer);
              connection.close();
            });
            request.resume();
          } catch (IllegalStateException alreadyRead) {
            vertx.cancelTimer(timer);
            connection.close();
          }
        });
  }

  static ServiceError toError(RoutingContext ctx) {
    var failure = ctx.failure();
    if (failure instanceof HttpException e && e.getCause() != null) {
      failure = e.getCause();
    }
    if (failure instanceof SchemaValidationException e) {
      return ServiceError.badRequest(describe(e));
    }
    if (failure instanceof ValidatorException e) {
      return ServiceError.badRequest(e.getMessage());
    }
    if (failure instanceof DecodeException e) {
      return ServiceError.badRequest("the body is not valid JSON: " + e.getMessage());
    }
    if (failure instanceof HttpException e) {
      return ofStatus(e.getStatusCode(), e.getPayload());
    }
    if (failure != null) {
      return ServiceError.of(failure);
    }
    return ofStatus(ctx.statusCode(), null);
  }

  static ServiceError ofStatus(int status, String detail) {
    return switch (status) {
      case 400 -> ServiceError.badRequest(detail != null ? detail : "the request is malformed");
      case 401 -> new ServiceError(401, "unauthorized", "an API key is required");
      case 403 -> new ServiceError(403, "forbidden", "this key may not do that");
      case 404 -> ServiceError.notFound("no such resource");
      case 405 -> new ServiceError(405, "method_not_allowed", "this resource does not support that method");
      case 413 -> new ServiceError(413, "too_large",
          "the request body is larger than allowed (1 MB; 5 MB for an OPML import)");
      case 414 -> new ServiceError(414, "uri_too_long", "the request line is too long (at most 64 KB)");
      case 415 -> new ServiceError(415, "unsupported_media_type", "send the body as application/json");
      case 431 -> new ServiceError(431, "headers_too_large",
          "the request headers are too large (at most 8 KB)");
      case 503 -> ServiceError.unavailable("the service is not ready; try again shortly");
      default -> new ServiceError(status < 400 ? 500 : status, "internal",
          detail != null ? detail : "the request failed (" + status + ")");
    };
  }

  /** "field 'trigger.seconds' is invalid: …" or "field 'colour' is not a known field", not a generic sentence. */
  static String describe(SchemaValidationException e) {
    var errors = new java.util.ArrayList<OutputUnit>();
    flatten(e.getOutputUnit(), errors);
    OutputUnit best = null;
    var bestScore = -1;
    for (var unit : errors) {
      var keyword = lastSegment(unit.getKeywordLocation());
      var score = COMPOSITE.contains(keyword) ? 0 : 1000;
      score += depth(unit.getInstanceLocation());
      if (score > bestScore) {
        best = unit;
        bestScore = score;
      }
    }
    if (best == null) {
      return e.getMessage();
    }
    var where = field(best.getInstanceLocation());
    var keyword = lastSegment(best.getKeywordLocation());
    if (where.isEmpty()) {
      var subject = e.getMessage().startsWith("The value of the request body") ? "the body"
          : e.getMessage().replaceFirst("^The value of (\\w+ parameter \\S+).*$", "$1");
      return subject + " is invalid: " + best.getError();
    }
    if (keyword.equals("additionalProperties")) {
      return "field '" + where + "' is not a known field";
    }
    return "field '" + where + "' is invalid: " + best.getError();
  }

  private static final java.util.Set<String> COMPOSITE =
      java.util.Set.of("properties", "$ref", "additionalProperties", "allOf", "anyOf", "oneOf", "items");

  private static void flatten(OutputUnit unit, java.util.List<OutputUnit> into) {
    if (unit == null) {
      return;
    }
    if (unit.getError() != null) {
      into.add(unit);
    }
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(child -> flatten(child, into));
    }
  }

  private static String lastSegment(String pointer) {
    return pointer == null ? "" : pointer.substring(pointer.lastIndexOf('/') + 1);
  }

  private static int depth(String pointer) {
    return pointer == null ? 0 : (int) pointer.chars().filter(c -> c == '/').count();
  }

  /** A JSON pointer such as {@code #/trigger/seconds} or {@code /trigger/seconds} as {@code trigger.seconds}. */
  private static String field(String pointer) {
    if (pointer == null) {
      return "";
    }
    var path = pointer.replaceFirst("^#?/?", "").replace('/', '.');
    return path.replace("~1", "/").replace("~0", "~");
  }
}
