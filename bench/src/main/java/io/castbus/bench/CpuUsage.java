package io.castbus.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU used between two points: by this JVM, and by the PostgreSQL processes of this machine when the server is
 * local and {@code /proc} shows them (otherwise that half is left out). Says what bounds a measurement.
 */
final class CpuUsage {

  private static final double CLOCK_TICKS_PER_SECOND = 100.0;

  private final long wallNanos;
  private final long jvmNanos;
  private final long postgresTicks;

  private CpuUsage(long wallNanos, long jvmNanos, long postgresTicks) {
    this.wallNanos = wallNanos;
    this.jvmNanos = jvmNanos;
    this.postgresTicks = postgresTicks;
  }

  static CpuUsage now() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    var jvm = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    return new CpuUsage(System.nanoTime(), jvm, postgresTicks());
  }

  /** {@code jvm_cores=… postgres_cores=…}: average cores busy since {@code start}. */
  String since(CpuUsage start) {
    var seconds = (wallNanos - start.wallNanos) / 1e9;
    var text = jvmNanos < 0 ? ""
        : String.format(Locale.ROOT, "jvm_cores=%.2f", (jvmNanos - start.jvmNanos) / 1e9 / seconds);
    if (postgresTicks > 0) {
      text += String.format(Locale.ROOT, " postgres_cores=%.2f",
          (postgresTicks - start.postgresTicks) / CLOCK_TICKS_PER_SECOND / seconds);
    }
    return text;
  }

  /** utime + stime of every process named postgres (backends of this run live through the measured window). */
  private static long postgresTicks() {
    var total = 0L;
    try (var entries = Files.list(Path.of("/proc"))) {
      for (var dir : (Iterable<Path>) entries::iterator) {
        if (!dir.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          var stat = Files.readString(dir.resolve("stat"));
          if (stat.contains("(postgres)")) {
            var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked: its time is no longer counted anywhere
        }
      }
    } catch (IOException | RuntimeException noProc) {
      return 0;
    }
    return total;
  }
}
