package io.castbus.testkit;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

  /** Probes until the value it gives is done; returns that value, or fails naming the last one seen. */
  public static <T> T untilValue(Duration timeout, String what, Supplier<T> probe, Predicate<T> done) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var value = probe.get();
      if (done.test(value)) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still not true after " + timeout.toSeconds() + " s: " + what + " (last: " + value
            + ")");
      }
      sleep(25);
    }
  }

  /** The future's value, waited for off the event loop for at most 30 s. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 30 s", e);
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
