package io.castbus.common.queue;

import java.time.Duration;

/**
 * Timings of a worker.
 *
 * @param lease        how long a claimed run stays ours without renewal; renewed every third of it
 * @param poll         the safety-net poll for work when no wake-up arrives
 * @param claimBatch   the most runs one claim takes
 * @param flush        how often progress, output and events of running runs are written
 */
public record WorkerOptions(Duration lease, Duration poll, int claimBatch, Duration flush) {

  public static final WorkerOptions DEFAULTS =
      new WorkerOptions(Duration.ofSeconds(30), Duration.ofSeconds(2), 256, Duration.ofSeconds(1));

  public WorkerOptions lease(Duration d) {
    return new WorkerOptions(d, poll, claimBatch, flush);
  }

  public WorkerOptions poll(Duration d) {
    return new WorkerOptions(lease, d, claimBatch, flush);
  }

  public WorkerOptions claimBatch(int n) {
    return new WorkerOptions(lease, poll, n, flush);
  }
}
