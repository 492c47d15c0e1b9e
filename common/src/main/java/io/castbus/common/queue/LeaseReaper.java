package io.castbus.common.queue;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives runs whose lease expired (their worker stopped renewing it: killed, partitioned, stalled) back to the queue,
 * or fails them when out of attempts. One per process, deployed by the launcher whatever the number of workers and
 * types it serves; any number of processes may reap at once (each expired run is taken by one).
 */
public final class LeaseReaper extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);
  private static final int BATCH = 500;
  /** How often a process looks for expired leases. */
  public static final Duration EVERY = Duration.ofSeconds(5);

  private final RunQueue queue;
  private final Duration every;
  private final RunMetrics metrics = RunMetrics.create();

  public LeaseReaper(RunQueue queue, Duration every) {
    this.queue = queue;
    this.every = every;
  }

  public LeaseReaper(RunQueue queue) {
    this(queue, EVERY);
  }

  @Override
  public Future<?> start() {
    // A random first delay, so replicas started together do not reap in step.
    var jitter = ThreadLocalRandom.current().nextLong(Math.max(1, every.toMillis() / 2));
    vertx.setPeriodic(jitter + 1, every.toMillis(), t -> reap());
    return Future.succeededFuture();
  }

  private void reap() {
    queue.reclaimExpired(BATCH).onSuccess(rows -> {
      var requeued = new HashSet<String>();
      for (var row : rows) {
        var runId = row.getUUID("id");
        var type = row.getString("type");
        var status = RunStatus.parse(row.getString("status"));
        metrics.stalled(type);
        LOG.warn("Run {} ({}) stalled: its worker stopped renewing the lease; now {}", runId, type, status.wire());
        queue.publishStatus(runId, type, row.getString("job_id"), RunStatus.STALLED);
        queue.publishStatus(runId, type, row.getString("job_id"), status);
        if (status == RunStatus.QUEUED) {
          requeued.add(type);
        }
      }
      queue.wake(requeued);
    }).onFailure(e -> LOG.debug("Could not look for stalled runs: {}", e.getMessage()));
  }
}
