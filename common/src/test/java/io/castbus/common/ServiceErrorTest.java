package io.castbus.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ServiceError: what a failure means to the caller")
class ServiceErrorTest {

  @Test
  @DisplayName("PostgreSQL shutting down, restarting or dropping the connection is 503 unavailable, not 500")
  void databaseRestartIsUnavailable() {
    for (var state : new String[] {"57P01", "57P02", "57P03", "08006"}) {
      var error = ServiceError.of(new RuntimeException("wrapped",
          new PgException("terminating connection due to administrator command", "FATAL", state, null)));
      assertThat(error.status()).as(state).isEqualTo(503);
      assertThat(error.code()).isEqualTo("unavailable");
    }
  }

  @Test
  @DisplayName("any other database error stays a 500")
  void otherDatabaseErrorsAreInternal() {
    var error = ServiceError.of(new PgException("division by zero", "ERROR", "22012", null));
    assertThat(error.status()).isEqualTo(500);
  }

  @Test
  @DisplayName("the database away is told by type: a closed connection, the pool's wait timing out, a refused or "
      + "timed-out connect are 503")
  void outagesByType() {
    for (var failure : new Throwable[] {io.vertx.sqlclient.ClosedConnectionException.INSTANCE,
        new io.vertx.core.VertxException("Timeout waiting for connection", true),
        new java.net.ConnectException("Connection refused: /127.0.0.1:5432"),
        new io.netty.channel.ConnectTimeoutException("connection timed out: /10.0.0.5:5432"),
        new RuntimeException("wrapped", io.vertx.sqlclient.ClosedConnectionException.INSTANCE)}) {
      assertThat(ServiceError.of(failure).status()).as(failure.toString()).isEqualTo(503);
    }
  }

  @Test
  @DisplayName("a timeout or a refused connection talking to another server is never a database outage, and "
      + "words in a message decide nothing")
  void otherServersAreNotTheDatabase() {
    var feedTimeout = io.castbus.common.queue.RunFailure.transientFailure("timeout",
        "the feed server at feeds.example did not answer in time", new java.util.concurrent.TimeoutException());
    var feedRefused = io.castbus.common.queue.RunFailure.transientFailure("unreachable",
        "the feed at http://feeds.example/x could not be fetched", new java.net.ConnectException("Connection refused"));
    for (var failure : new io.castbus.common.queue.RunFailure[] {feedTimeout, feedRefused}) {
      var error = ServiceError.of(failure);
      assertThat(error.status()).as(failure.getMessage()).isEqualTo(502);
      assertThat(error.code()).isEqualTo(failure.code());
    }
    for (var failure : new Throwable[] {new java.util.concurrent.TimeoutException("Timeout"),
        new IllegalStateException("the stream is closed"), new io.vertx.core.VertxException("Timeout")}) {
      assertThat(ServiceError.of(failure).status()).as(failure.toString()).isEqualTo(500);
    }
  }
}
