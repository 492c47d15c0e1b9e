package io.castbus.bench;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocks the benchmark's main thread (never an event loop) on a Vert.x future. */
final class Await {

  private Await() {
  }

  static <T> T result(Future<T> future, Duration timeout) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
