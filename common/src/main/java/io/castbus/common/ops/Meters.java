package io.castbus.common.ops;

import io.micrometer.core.instrument.Counter;
import io.vertx.micrometer.backends.BackendRegistries;

/** Counters in the process's Prometheus registry (served at /metrics); nothing when metrics are off. */
public final class Meters {

  private Meters() {
  }

  /** Adds {@code amount} to the counter {@code name} with the given tag names and values. */
  public static void count(String name, String description, double amount, String... tags) {
    var registry = BackendRegistries.getDefaultNow();
    if (registry != null && amount > 0) {
      Counter.builder(name).description(description).tags(tags).register(registry).increment(amount);
    }
  }
}
