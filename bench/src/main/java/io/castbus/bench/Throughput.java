package io.castbus.bench;

import java.util.Locale;

/**
 * What one system achieved: {@code runs} executed in {@code nanos}, and whether every run executed exactly once.
 *
 * @param duplicates runs executed more than once
 * @param lost       runs never executed, or not recorded as done in the database
 */
record Throughput(String system, int runs, long nanos, int duplicates, int lost, String details) {

  double perSecond() {
    return runs * 1e9 / nanos;
  }

  long millis() {
    return nanos / 1_000_000;
  }

  boolean exact() {
    return duplicates == 0 && lost == 0;
  }

  String line() {
    return String.format(Locale.ROOT, "%s: runs=%d elapsed_ms=%d runs_per_s=%d duplicates=%d lost=%d %s", system,
        runs, millis(), Math.round(perSecond()), duplicates, lost, details);
  }
}
