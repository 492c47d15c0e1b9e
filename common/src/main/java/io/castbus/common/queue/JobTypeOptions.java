package io.castbus.common.queue;

import java.time.Duration;

/**
 * How a worker serves one run type.
 *
 * @param concurrency        runs of this type at once in this worker
 * @param clusterConcurrency runs of this type at once across the whole cluster (0: no cap)
 * @param maxAttempts        attempts before a run fails for good
 * @param backoff            wait before the first retry; it doubles with each attempt
 * @param maxBackoff         the longest wait between attempts
 */
public record JobTypeOptions(
    int concurrency, int clusterConcurrency, int maxAttempts, Duration backoff, Duration maxBackoff) {

  /** Three retries after the first attempt, waiting 2, 4 and 8 s (seed 003: "3 attempts, backoff 2s, 4s, 8s"). */
  public static final JobTypeOptions DEFAULTS = new JobTypeOptions(4, 0, 4, Duration.ofSeconds(2), Duration.ofHours(1));

  public JobTypeOptions {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    if (clusterConcurrency < 0 || maxAttempts < 1) {
      throw new IllegalArgumentException("clusterConcurrency must be >= 0 and maxAttempts >= 1");
    }
  }

  public JobTypeOptions concurrency(int n) {
    return new JobTypeOptions(n, clusterConcurrency, maxAttempts, backoff, maxBackoff);
  }

  public JobTypeOptions clusterConcurrency(int n) {
    return new JobTypeOptions(concurrency, n, maxAttempts, backoff, maxBackoff);
  }

  public JobTypeOptions maxAttempts(int n) {
    return new JobTypeOptions(concurrency, clusterConcurrency, n, backoff, maxBackoff);
  }

  public JobTypeOptions backoff(Duration first) {
    return new JobTypeOptions(concurrency, clusterConcurrency, maxAttempts, first, maxBackoff);
  }

  /**
   * The runs at once in one worker under a cluster cap set at run time ({@code steered}, null when none): a type
   * whose per-worker concurrency is its cluster cap (downloads) follows the new cap, up or down; others keep theirs.
   */
  public int concurrencyUnder(Integer steered) {
    return steered != null && clusterConcurrency > 0 && concurrency == clusterConcurrency ? steered : concurrency;
  }

  /** The wait before retrying after the given (1-based) failed attempt: backoff, 2×, 4×, … capped. */
  public Duration backoffAfter(int attempt) {
    var factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
    var millis = Math.min(backoff.toMillis() * factor, maxBackoff.toMillis());
    return Duration.ofMillis(millis);
  }
}
