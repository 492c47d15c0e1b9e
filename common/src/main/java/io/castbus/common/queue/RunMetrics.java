package io.castbus.common.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Run counters and durations, in the process's Prometheus registry when metrics are on. Each meter is built once
 * per type (and outcome) and kept: counting a run is a map lookup and an increment.
 */
final class RunMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> started = new ConcurrentHashMap<>();
  private final Map<String, Counter> retried = new ConcurrentHashMap<>();
  private final Map<String, Counter> stalled = new ConcurrentHashMap<>();
  /** By type, then by outcome (the status's ordinal): no key is built per run. */
  private final Map<String, Finished[]> finished = new ConcurrentHashMap<>();

  private record Finished(Counter count, Timer duration) {
  }

  private RunMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static RunMetrics create() {
    return new RunMetrics(BackendRegistries.getDefaultNow());
  }

  void claimed(String type) {
    if (registry != null) {
      started.computeIfAbsent(type, t -> Counter.builder("castbus_runs_started")
          .description("Runs claimed and started by a worker").tag("type", t).register(registry)).increment();
    }
  }

  void finished(String type, RunStatus status, long nanos) {
    if (registry != null) {
      var byStatus = finished.computeIfAbsent(type, t -> new Finished[RunStatus.values().length]);
      var meters = byStatus[status.ordinal()];
      if (meters == null) {
        // Racing threads may both build it; Micrometer hands both the one registered meter.
        meters = new Finished(
            Counter.builder("castbus_runs_finished").description("Runs that ended, by outcome")
                .tag("type", type).tag("status", status.wire()).register(registry),
            Timer.builder("castbus_run_duration").description("Time a handler took")
                .tag("type", type).tag("status", status.wire())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(registry));
        byStatus[status.ordinal()] = meters;
      }
      meters.count().increment();
      meters.duration().record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void retried(String type) {
    if (registry != null) {
      retried.computeIfAbsent(type, t -> Counter.builder("castbus_runs_retried")
          .description("Failed attempts that will be retried").tag("type", t).register(registry)).increment();
    }
  }

  void stalled(String type) {
    if (registry != null) {
      stalled.computeIfAbsent(type, t -> Counter.builder("castbus_runs_stalled")
          .description("Runs reclaimed after their worker stopped renewing").tag("type", t).register(registry))
          .increment();
    }
  }
}
