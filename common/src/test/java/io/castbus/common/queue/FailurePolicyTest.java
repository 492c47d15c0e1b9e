package io.castbus.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a failed attempt becomes")
class FailurePolicyTest {

  private static ClaimedRun attempt(int n, int of) {
    return new ClaimedRun(UUID.randomUUID(), "t", null, null, new JsonObject(), null, null, Priority.NORMAL, n, of,
        null);
  }

  @Test
  @DisplayName("a transient failure is retried after 2, 4 and 8 s, then fails on the fourth attempt")
  void retriesThenFails() {
    var failure = RunFailure.transientFailure("connection", "refused");
    for (var n = 1; n <= 3; n++) {
      var decision = FailurePolicy.decide(attempt(n, 4), failure, JobTypeOptions.DEFAULTS);
      assertThat(decision.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(decision.delay()).isEqualTo(Duration.ofSeconds(1L << n));
      assertThat(decision.level()).isEqualTo("warn");
      assertThat(decision.message()).startsWith("attempt " + n + " of 4 failed, retrying in ");
    }
    var last = FailurePolicy.decide(attempt(4, 4), failure, JobTypeOptions.DEFAULTS);
    assertThat(last.status()).isEqualTo(RunStatus.FAILED);
    assertThat(last.level()).isEqualTo("error");
    assertThat(last.message()).isEqualTo("failed after attempt 4 of 4: refused");
    assertThat(last.error().getString("code")).isEqualTo("connection");
    assertThat(last.error().getInteger("attempt")).isEqualTo(4);
  }

  @Test
  @DisplayName("a permanent failure is not retried; a server's longer Retry-After wins over the backoff")
  void permanentAndRetryAfter() {
    var gone = FailurePolicy.decide(attempt(1, 4), RunFailure.permanent("http_410", "gone"), JobTypeOptions.DEFAULTS);
    assertThat(gone.status()).isEqualTo(RunStatus.FAILED);
    assertThat(gone.message()).isEqualTo("failed (not retried: http_410): gone");
    assertThat(gone.error().getBoolean("permanent")).isTrue();

    var busy = RunFailure.transientFailure("http_503", "busy").retryAfter(Duration.ofSeconds(30));
    assertThat(FailurePolicy.decide(attempt(1, 4), busy, JobTypeOptions.DEFAULTS).delay())
        .isEqualTo(Duration.ofSeconds(30));
    var soon = RunFailure.transientFailure("http_503", "busy").retryAfter(Duration.ofMillis(10));
    assertThat(FailurePolicy.decide(attempt(1, 4), soon, JobTypeOptions.DEFAULTS).delay())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  @DisplayName("a postponed run waits for the handler's hint, else a second")
  void postponement() {
    assertThat(FailurePolicy.postponement(RunFailure.postpone("busy", "later", Duration.ofSeconds(7))))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(FailurePolicy.postponement(RunFailure.postpone("busy", "later", null))).isEqualTo(Duration.ofSeconds(1));
  }
}
