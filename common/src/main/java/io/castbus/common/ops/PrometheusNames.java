package io.castbus.common.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;

/**
 * The process's Prometheus registry, every metric named the way Prometheus expects (base units, suffixes), so
 * {@code promtool check metrics} is clean. Micrometer's JVM binders name three metrics otherwise: the compilation
 * time in milliseconds ({@code jvm_compilation_time_ms_total}), the process's CPU time in nanoseconds
 * ({@code process_cpu_time_ns_total}) and the processor count as {@code system_cpu_count}, a {@code _count} on a
 * gauge. Here the first two are counted in seconds instead ({@code jvm_compilation_time_seconds_total},
 * {@code process_cpu_seconds_total}, Prometheus's own name for it) and the count is {@code system_cpus}.
 */
public final class PrometheusNames {

  private PrometheusNames() {
  }

  public static PrometheusMeterRegistry registry() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("jvm.compilation.time")
            && "ms".equals(id.getBaseUnit())))
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
          }
        });
    var compilation = ManagementFactory.getCompilationMXBean();
    if (compilation != null && compilation.isCompilationTimeMonitoringSupported()) {
      FunctionCounter.builder("jvm.compilation.time", compilation, c -> c.getTotalCompilationTime() / 1000.0)
          .baseUnit("seconds").description("Time the JIT compiler spent compiling")
          .tag("compiler", compilation.getName()).register(registry);
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds").description("CPU time the process used").register(registry);
    }
    return registry;
  }
}
