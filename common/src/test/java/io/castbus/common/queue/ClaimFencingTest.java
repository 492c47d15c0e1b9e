package io.castbus.common.queue;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Every write is fenced by its claim: a stale attempt changes nothing, an orphan is not renewed")
class ClaimFencingTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @RegisterExtension
  static final QueueFixture fx = new QueueFixture("claim_fencing");

  private record Attempt(RunContext ctx, Promise<JsonObject> outcome) {
  }

  @Test
  @DisplayName("a run whose lease lapsed and that the same worker claimed again: the first attempt is told to stop, "
      + "its result is not recorded, and the run completes with the second attempt's")
  void staleAttemptIsFenced() {
    var attempts = new CopyOnWriteArrayList<Attempt>();
    var id = await(fx.queue.enqueue(NewRun.of("fenced", new JsonObject())));
    fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST).serve("fenced", JobTypeOptions.DEFAULTS, ctx -> {
      var outcome = Promise.<JsonObject>promise();
      attempts.add(new Attempt(ctx, outcome));
      return outcome.future();
    }));
    Waits.until(LONG, "attempt 1 running", () -> attempts.size() == 1);
    // The lease lapses (an outage longer than the lease); the reaper requeues, the same worker claims it again.
    fx.rows("update runs set lease_until = clock_timestamp() - interval '1 second' where id = $1", id);
    Waits.until(LONG, "attempt 2 running", () -> attempts.size() == 2);
    var first = attempts.get(0);
    Waits.until(LONG, "attempt 1 told to stop", () -> first.ctx().isCancelled());

    first.outcome().complete(new JsonObject().put("from", "attempt 1"));
    var second = attempts.get(1);
    assertThat(second.ctx().attempt()).isEqualTo(2);
    second.outcome().complete(new JsonObject().put("from", "attempt 2"));
    Waits.until(LONG, "the run completed", () -> "completed".equals(fx.status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(run.getJsonObject("result").getString("from")).isEqualTo("attempt 2");
    assertThat(run.getInteger("attempts")).isEqualTo(2);
  }

  @Test
  @DisplayName("a completion or failure written for an attempt that is no longer the run's changes nothing")
  void writesOfAnEarlierAttemptAreRefused() {
    var id = await(fx.queue.enqueue(NewRun.of("fenced", new JsonObject())));
    await(fx.queue.claim("fenced", "w1", 1, Duration.ofSeconds(30), 4, 0));
    fx.rows("update runs set attempts = 2 where id = $1", id); // claimed again since, under the same worker id
    var completion = new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", id.toString())
        .put("attempt", 1).put("result", new JsonObject().put("stale", true)));
    assertThat(await(fx.queue.complete(completion, new io.vertx.core.json.JsonArray(), "w1"))).isEmpty();
    assertThat(await(fx.queue.endAttempt(id, 1, "w1", RunStatus.FAILED, Duration.ZERO, new JsonObject(), "error",
        "stale"))).isEmpty();
    assertThat(await(fx.queue.postpone(id, 1, "w1", Duration.ZERO, "stale"))).isEmpty();
    assertThat(fx.status(id)).isEqualTo("running");
    assertThat(await(fx.queue.get(id)).orElseThrow().getValue("result")).isNull();
  }

  @Test
  @DisplayName("a row held under a busy worker's id that it is not executing (an orphan) is not renewed: its lease "
      + "expires, the reaper requeues it and it runs")
  void orphanIsNotRenewed() {
    var busy = Promise.<JsonObject>promise();
    var workers = new CopyOnWriteArrayList<Worker>();
    fx.deploy(vertx -> {
      var worker = new Worker(vertx, fx.queue, QueueFixture.FAST).serve("orphaned", JobTypeOptions.DEFAULTS,
          ctx -> ctx.payload().getBoolean("block", false) ? busy.future()
              : Future.succeededFuture(new JsonObject().put("ran", true)));
      workers.add(worker);
      return worker;
    });
    var blocker = await(fx.queue.enqueue(NewRun.of("orphaned", new JsonObject().put("block", true))));
    Waits.until(LONG, "the worker is busy", () -> "running".equals(fx.status(blocker)));
    // A claim under this worker's id whose answer never reached it (a dropped connection).
    var orphan = UUID.randomUUID();
    fx.rows("insert into runs (id, type, status, worker_id, attempts, lease_until, started_at) values ($1, 'orphaned', "
        + "'running', $2, 1, clock_timestamp() + interval '2 seconds', clock_timestamp())", orphan,
        workers.get(0).id());

    Waits.until(LONG, "the orphan ran after its lease expired", () -> "completed".equals(fx.status(orphan)));
    assertThat(fx.rows("select count(*) from run_events where run_id = $1 and message like '%stopped renewing%'",
        orphan).get(0).getLong(0)).isPositive();
    busy.complete(new JsonObject());
  }
}
