package io.castbus.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests: for a condition with a deadline, never for a fixed time that hopes to be enough. */
public final class Waits {

  private Waits() {
  }

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still not true after " + timeout.toSeconds() + " s: " + what);
      }
      sleep(25);
    }
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
