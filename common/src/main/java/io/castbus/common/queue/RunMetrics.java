package io.castbus.common.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Run counters and durations, in the process's Prometheus registry when metrics are on. */
final class RunMetrics {

  private final MeterRegistry registry;

  private RunMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static RunMetrics create() {
    return new RunMetrics(BackendRegistries.getDefaultNow());
  }

  void claimed(String type) {
    if (registry != null) {
      Counter.builder("castbus_runs_started").description("Runs claimed and started by a worker")
          .tag("type", type).register(registry).increment();
    }
  }

  void finished(String type, RunStatus status, long nanos) {
    if (registry != null) {
      Counter.builder("castbus_runs_finished").description("Runs that ended, by outcome")
          .tag("type", type).tag("status", status.wire()).register(registry).increment();
      Timer.builder("castbus_run_duration").description("Time a handler took")
          .tag("type", type).tag("status", status.wire())
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofHours(2))
          .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void retried(String type) {
    if (registry != null) {
      Counter.builder("castbus_runs_retried").description("Failed attempts that will be retried")
          .tag("type", type).register(registry).increment();
    }
  }

  void stalled(String type) {
    if (registry != null) {
      Counter.builder("castbus_runs_stalled").description("Runs reclaimed after their worker stopped renewing")
          .tag("type", type).register(registry).increment();
    }
  }
}
