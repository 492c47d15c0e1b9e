package io.castbus.common.queue;

import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker's leases: renews, in one statement, the claims it executes or is still completing — and only
 * those, so an orphan row held under its id expires — and reports what the renewal learnt: a cancel asked for, or a
 * claim that is gone (reaped, claimed again). Also records the worker's heartbeat.
 */
final class LeaseKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final String HOST = hostName();

  /** What a renewal finds about a run being executed. */
  interface Findings {
    void cancelRequested(ActiveRun run);

    void leaseLost(ActiveRun run);
  }

  private final RunQueue queue;
  private final String workerId;
  private final Duration lease;
  private final Map<UUID, ActiveRun> active;
  private final CompletionBatcher completions;
  private final Findings findings;

  LeaseKeeper(RunQueue queue, String workerId, Duration lease, Map<UUID, ActiveRun> active,
      CompletionBatcher completions, Findings findings) {
    this.queue = queue;
    this.workerId = workerId;
    this.lease = lease;
    this.active = active;
    this.completions = completions;
    this.findings = findings;
  }

  void renew() {
    if (active.isEmpty() && completions.idle()) {
      return;
    }
    var sent = System.nanoTime();
    var claims = new JsonArray();
    active.values().forEach(run -> claims.add(run.claimRow()));
    completions.claimsInto(claims);
    if (claims.isEmpty()) {
      return;
    }
    queue.renewLeases(workerId, lease, claims).onSuccess(rows -> {
      var held = new HashSet<String>();
      for (var row : rows) {
        var runId = row.getUUID("id");
        held.add(runId + "/" + row.getInteger("attempts"));
        var run = active.get(runId);
        if (run != null && run.run.attempt() == row.getInteger("attempts") && row.getBoolean("cancel_requested")
            && !run.endedByWorker) {
          findings.cancelRequested(run);
        }
      }
      for (var run : List.copyOf(active.values())) {
        // A claim made after the renewal was sent is not in its answer.
        if (!held.contains(run.run.id() + "/" + run.run.attempt()) && !run.endedByWorker && run.claimedNanos < sent) {
          findings.leaseLost(run);
        }
      }
    }).onFailure(e -> LOG.warn("Worker {} could not renew its leases: {}", workerId, e.getMessage()));
  }

  /** Records that this worker lives, and how it serves each of its types ({@code options}, by type). */
  void heartbeat(java.util.Map<String, JobTypeOptions> options) {
    var served = new io.vertx.core.json.JsonObject();
    options.forEach((type, o) -> served.put(type, new io.vertx.core.json.JsonObject()
        .put("concurrency", o.concurrency())
        .put("cluster_concurrency", o.clusterConcurrency() > 0 ? o.clusterConcurrency() : null)));
    queue.heartbeat(workerId, HOST, options.keySet(), served)
        .onFailure(e -> LOG.warn("Worker {} could not record its heartbeat: {}", workerId, e.getMessage()));
  }

  private static String hostName() {
    var env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
