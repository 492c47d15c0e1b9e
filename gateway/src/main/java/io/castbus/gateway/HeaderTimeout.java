package io.castbus.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes a connection whose first request's headers have not arrived {@link #SECONDS} after it opened: a client
 * that sends its headers a byte at a time holds no connection for longer than that.
 */
final class HeaderTimeout {

  static final long SECONDS = 10;

  private final Vertx vertx;
  private final Map<HttpConnection, Long> waiting = new ConcurrentHashMap<>();

  HeaderTimeout(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A new connection: its first request's headers are awaited from now. */
  void opened(HttpConnection connection) {
    var timer = vertx.setTimer(SECONDS * 1000, t -> {
      if (waiting.remove(connection) != null) {
        connection.close();
      }
    });
    waiting.put(connection, timer);
    connection.closeHandler(v -> {
      var pending = waiting.remove(connection);
      if (pending != null) {
        vertx.cancelTimer(pending);
      }
    });
  }

  Handler<HttpServerRequest> before(Handler<HttpServerRequest> requests) {
    return request -> {
      var pending = waiting.remove(request.connection());
      if (pending != null) {
        vertx.cancelTimer(pending);
      }
      requests.handle(request);
    };
  }
}
