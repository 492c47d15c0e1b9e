package io.castbus.common.queue;

import java.time.Duration;

/**
 * How a handler says why its run failed: a short machine code, a human message, whether retrying can help, and
 * optionally how long to wait before the retry (a server's Retry-After). Any other exception counts as transient.
 */
public final class RunFailure extends RuntimeException {

  private final String code;
  private final boolean permanent;
  private final Duration retryAfter;
  private final boolean postponed;

  private RunFailure(String code, String message, boolean permanent, Duration retryAfter, Throwable cause) {
    this(code, message, permanent, retryAfter, cause, false);
  }

  private RunFailure(String code, String message, boolean permanent, Duration retryAfter, Throwable cause,
      boolean postponed) {
    super(message, cause, false, false);
    this.code = code;
    this.permanent = permanent;
    this.retryAfter = retryAfter;
    this.postponed = postponed;
  }

  /** Retrying cannot help (HTTP 404, an unparseable feed): the run fails at once. */
  public static RunFailure permanent(String code, String message) {
    return new RunFailure(code, message, true, null, null);
  }

  /** Retrying may help (a timeout, a 503): the run is retried with backoff while it has attempts left. */
  public static RunFailure transientFailure(String code, String message) {
    return new RunFailure(code, message, false, null, null);
  }

  public static RunFailure transientFailure(String code, String message, Throwable cause) {
    return new RunFailure(code, message, false, null, cause);
  }

  /**
   * The run could not start yet (a resource it needs is busy): it goes back to the queue for {@code wait} without
   * counting the attempt, and without an event, since it may wait many times.
   */
  public static RunFailure postpone(String code, String message, Duration wait) {
    return new RunFailure(code, message, false, wait, null, true);
  }

  public RunFailure retryAfter(Duration wait) {
    return new RunFailure(code, getMessage(), permanent, wait, getCause(), postponed);
  }

  /** The same failure with what it is about named first: {@code "<subject>: <message>"}. */
  public RunFailure about(String subject) {
    return new RunFailure(code, subject + ": " + getMessage(), permanent, retryAfter, getCause(), postponed);
  }

  public boolean postponed() {
    return postponed;
  }

  public String code() {
    return code;
  }

  public boolean permanent() {
    return permanent;
  }

  public Duration retryAfterHint() {
    return retryAfter;
  }

  /** The failure a throwable stands for: itself when it is one, else a transient {@code error} with its message. */
  public static RunFailure of(Throwable t) {
    if (t instanceof RunFailure f) {
      return f;
    }
    var message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new RunFailure("error", message, false, null, t);
  }
}
