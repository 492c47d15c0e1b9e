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
}
