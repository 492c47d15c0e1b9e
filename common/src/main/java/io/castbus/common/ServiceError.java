package io.castbus.common;

import io.castbus.common.queue.RunFailure;
import io.vertx.sqlclient.ClosedConnectionException;
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

  /** The message of the SQL pool's own exception when no connection came within its wait. */
  private static final String POOL_WAIT_TIMEOUT = "Timeout waiting for connection";

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
    if (failure instanceof RunFailure outbound) {
      // Another server failed us (a feed server, a webhook): a bad gateway, named.
      return new ServiceError(502, outbound.code(), text);
    }
    if (isDatabaseOutage(failure)) {
      return unavailable("the database is unreachable: " + text);
    }
    return new ServiceError(500, "internal", text);
  }

  /**
   * Whether the failure is the database being away, decided by type and SQL state, never by message: a
   * PostgreSQL connection exception (class 08) or shutdown (57P01–57P03), a connection the SQL client saw close,
   * the pool's wait for a connection timing out, or a connection that could not be made. A failure talking to
   * another server is a {@link RunFailure} and stops the search: its cause (a timeout, a refused connection)
   * is that server's, not the database's.
   */
  private static boolean isDatabaseOutage(Throwable failure) {
    for (var t = failure; t != null; t = t.getCause()) {
      if (t instanceof RunFailure) {
        return false;
      }
      if (t instanceof PgException pg) {
        var state = pg.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
      }
      if (t instanceof ClosedConnectionException || t instanceof java.net.ConnectException
          || t instanceof io.netty.channel.ConnectTimeoutException
          || (t.getClass() == io.vertx.core.VertxException.class && POOL_WAIT_TIMEOUT.equals(t.getMessage()))) {
        return true;
      }
    }
    return false;
  }
}
