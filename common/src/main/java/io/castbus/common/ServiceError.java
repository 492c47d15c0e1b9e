package io.castbus.common;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An error with an HTTP status, a short code and a human message, as every service replies over the event bus and
 * the gateway answers over HTTP: {@code {"error": "<code>", "message": "<human text>"}}.
 */
public final class ServiceError extends RuntimeException {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceError.class);

  private final int status;
  private final String code;

  public ServiceError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public static ServiceError badRequest(String message) {
    return new ServiceError(400, "bad_request", message);
  }

  public static ServiceError notFound(String message) {
    return new ServiceError(404, "not_found", message);
  }

  public static ServiceError conflict(String message) {
    return new ServiceError(409, "conflict", message);
  }

  public static ServiceError unavailable(String message) {
    return new ServiceError(503, "unavailable", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", getMessage());
  }

  /** Replies to a request with this error (or a 500/503 for any other failure); a 500 is logged with its cause. */
  public static void reply(Message<?> message, Throwable failure) {
    var error = of(failure);
    if (error.status >= 500 && error.status != 503) {
      LOG.error("{} failed: {}", message.address(), error.getMessage(), failure);
    }
    message.fail(error.status, error.toJson().encode());
  }

  /** The error a failure stands for: a ServiceError as is, a reply failure decoded, a database outage as 503. */
  public static ServiceError of(Throwable failure) {
    if (failure instanceof ServiceError e) {
      return e;
    }
    if (failure instanceof IllegalArgumentException e) {
      return badRequest(e.getMessage());
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() >= 400) {
        try {
          var json = new JsonObject(reply.getMessage());
          return new ServiceError(reply.failureCode(), json.getString("error"), json.getString("message"));
        } catch (DecodeException | ClassCastException ignored) {
          return new ServiceError(reply.failureCode(), "error", reply.getMessage());
        }
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return unavailable("no service is answering right now (" + reply.getMessage() + "); try again shortly");
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return unavailable("the service did not answer in time; try again shortly");
      }
    }
    var text = String.valueOf(failure.getMessage());
    if (isDatabaseOutage(failure)) {
      return unavailable("the database is unreachable: " + text);
    }
    return new ServiceError(500, "internal", text);
  }

  private static boolean isDatabaseOutage(Throwable failure) {
    for (var t = failure; t != null; t = t.getCause()) {
      // Class 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed, or not yet accepting.
      if (t instanceof PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
        return true;
      }
      var name = t.getClass().getName();
      if (t instanceof java.net.ConnectException || t instanceof java.util.concurrent.TimeoutException
          || name.contains("ClosedConnection") || name.contains("NoStackTraceTimeoutException")
          || name.contains("io.netty.channel") || (t.getMessage() != null && (t.getMessage().contains("Connection refused")
          || t.getMessage().contains("Timeout") || t.getMessage().contains("closed")))) {
        return true;
      }
    }
    return false;
  }
}
