package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * What a failed attempt becomes: retried after a backoff (a server's {@code Retry-After} wins when longer), or
 * failed for good when the failure is permanent or the attempts are used up. Postponing is the handler's own
 * choice ({@link RunFailure#postpone}) and is decided before this.
 */
final class FailurePolicy {

  /**
   * @param status  queued (retry after {@code delay}) or failed
   * @param error   the run's {@code error} document
   * @param message the event's text, and the log's
   */
  record Decision(RunStatus status, Duration delay, JsonObject error, String message) {

    boolean last() {
      return status == RunStatus.FAILED;
    }

    String level() {
      return last() ? "error" : "warn";
    }
  }

  private FailurePolicy() {
  }

  static Decision decide(ClaimedRun claimed, RunFailure failure, JobTypeOptions options) {
    var last = failure.permanent() || claimed.attempt() >= claimed.maxAttempts();
    var error = new JsonObject()
        .put("code", failure.code())
        .put("message", failure.getMessage())
        .put("permanent", failure.permanent())
        .put("attempt", claimed.attempt());
    if (last) {
      var message = (failure.permanent() ? "failed (not retried: " + failure.code() + "): " : "failed after attempt "
          + claimed.attempt() + " of " + claimed.maxAttempts() + ": ") + failure.getMessage();
      return new Decision(RunStatus.FAILED, Duration.ZERO, error, message);
    }
    var wait = options.backoffAfter(claimed.attempt());
    if (failure.retryAfterHint() != null && failure.retryAfterHint().compareTo(wait) > 0) {
      wait = failure.retryAfterHint();
    }
    var message = "attempt " + claimed.attempt() + " of " + claimed.maxAttempts() + " failed, retrying in "
        + wait.toMillis() + " ms: " + failure.getMessage();
    return new Decision(RunStatus.QUEUED, wait, error, message);
  }

  /** How long a postponed run waits: the handler's hint, else a second. */
  static Duration postponement(RunFailure failure) {
    return failure.retryAfterHint() == null ? Duration.ofSeconds(1) : failure.retryAfterHint();
  }
}
