package io.castbus.common.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The engine's own claim and completion statements with nothing around them: one loop claims a batch through
 * {@link RunQueue#claim}, completes it through {@link RunQueue#complete}, and again until a claim comes back empty.
 * No worker, leases kept, metrics, publications or handler: what the worker adds to these two statements is its own
 * cost. (In the queue's package to call the statements as the worker does; it ships with the benchmarks only.)
 */
public final class StatementLoop {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final JsonObject RESULT = new JsonObject();

  private StatementLoop() {
  }

  /** Drains runs of {@code type} in batches of {@code batch}, counting each claimed run in {@code executions}. */
  public static Future<Void> drain(RunQueue queue, String type, String workerId, int batch,
      Map<UUID, Integer> executions) {
    return queue.claim(type, workerId, batch, LEASE, JobTypeOptions.DEFAULTS.maxAttempts(), 0).compose(runs -> {
      if (runs.isEmpty()) {
        return Future.succeededFuture();
      }
      var completions = new JsonArray();
      for (var run : runs) {
        executions.merge(run.id(), 1, Integer::sum);
        completions.add(new JsonObject().put("id", run.id().toString()).put("attempt", run.attempt())
            .put("result", RESULT));
      }
      return queue.complete(completions, new JsonArray(), workerId)
          .compose(done -> drain(queue, type, workerId, batch, executions));
    });
  }
}
