package io.castbus.common.queue;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The durable run queue")
class RunQueueTest {

  private static final Duration LONG = Duration.ofSeconds(60);
  private static QueueFixture fx;

  @BeforeAll
  static void database() {
    fx = new QueueFixture("run_queue");
  }

  @AfterAll
  static void close() {
    fx.close();
  }

  @BeforeEach
  void empty() {
    fx.reset();
  }

  @AfterEach
  void stopWorkers() {
    fx.undeployAll();
  }

  private static Worker worker(io.vertx.core.Vertx vertx, String type, JobTypeOptions options, RunHandler handler) {
    return new Worker(vertx, fx.queue, QueueFixture.FAST).serve(type, options, handler);
  }

  private String status(UUID id) {
    return fx.rows("select status from runs where id = $1", id).get(0).getString("status");
  }

  @Test
  @DisplayName("4 competing workers execute 10,000 runs each exactly once: none twice, none lost")
  void claimIsExclusive() {
    var runs = new ArrayList<NewRun>();
    for (var i = 0; i < 10_000; i++) {
      runs.add(NewRun.of("noop", new JsonObject().put("n", i)));
    }
    for (var i = 0; i < runs.size(); i += 1000) {
      await(fx.queue.enqueueAll(runs.subList(i, i + 1000)));
    }
    var executions = new ConcurrentHashMap<UUID, AtomicInteger>();
    var byWorker = new ConcurrentHashMap<String, AtomicInteger>();
    for (var w = 0; w < 4; w++) {
      var name = "w" + w;
      fx.deploy(vertx -> worker(vertx, "noop", JobTypeOptions.DEFAULTS.concurrency(16), ctx -> {
        executions.computeIfAbsent(ctx.runId(), id -> new AtomicInteger()).incrementAndGet();
        byWorker.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        return Future.succeededFuture(new JsonObject());
      }));
    }
    Waits.until(LONG, "all 10,000 runs completed",
        () -> fx.count("select count(*) from runs where status = 'completed'") == 10_000);

    assertThat(executions).hasSize(10_000);
    assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(fx.count("select count(*) from runs where attempts <> 1")).isZero();
    assertThat(byWorker).as("every worker took a share").hasSize(4);
  }

  @Test
  @DisplayName("a run whose worker died is reclaimed after its lease and completed by another worker")
  void expiredLeaseIsReclaimed() {
    var id = await(fx.queue.enqueue(NewRun.of("job", new JsonObject())));
    // A worker that claims and then dies: it never renews and never finishes.
    var claimed = await(fx.queue.claim("job", "worker-dead", 10, Duration.ofMillis(500), 3, 0));
    assertThat(claimed).extracting(ClaimedRun::id).containsExactly(id);

    var attempts = new CopyOnWriteArrayList<Integer>();
    fx.deploy(vertx -> worker(vertx, "job", JobTypeOptions.DEFAULTS, ctx -> {
      attempts.add(ctx.attempt());
      return Future.succeededFuture(new JsonObject().put("ok", true));
    }));

    Waits.until(LONG, "the run completed elsewhere", () -> "completed".equals(status(id)));
    assertThat(attempts).containsExactly(2);
    var events = fx.rows("select level, message from run_events where run_id = $1 order by id", id);
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getString("level")).isEqualTo("warn");
      assertThat(e.getString("message")).contains("stalled").contains("worker-dead");
    });
  }

  @Test
  @DisplayName("a run out of attempts whose worker died is failed, not requeued, and named as an outcome never "
      + "recorded (its handler may have succeeded before the process ended)")
  void expiredLeaseOnLastAttemptFails() {
    var id = await(fx.queue.enqueue(NewRun.of("job", new JsonObject())));
    await(fx.queue.claim("job", "worker-dead", 10, Duration.ofMillis(200), 1, 0));
    fx.deploy(vertx -> worker(vertx, "other", JobTypeOptions.DEFAULTS, ctx -> Future.succeededFuture()));

    Waits.until(LONG, "the stalled run failed", () -> "failed".equals(status(id)));
    var error = await(fx.queue.get(id)).orElseThrow().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("stalled");
    assertThat(error.getString("outcome")).isEqualTo("unknown");
    assertThat(error.getString("message")).contains("worker-dead").contains("last attempt (1 of 1)")
        .contains("never recorded");
    var events = fx.rows("select level, message from run_events where run_id = $1 order by id", id);
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getString("level")).isEqualTo("error");
      assertThat(e.getString("message")).contains("outcome of its last attempt is unknown");
    });
  }

  @Test
  @DisplayName("a failing run is retried with doubling backoff, then completes")
  void retriesWithBackoff() {
    var id = await(fx.queue.enqueue(NewRun.of("flaky", new JsonObject())));
    var starts = new CopyOnWriteArrayList<Long>();
    var backoff = Duration.ofMillis(300);
    fx.deploy(vertx -> worker(vertx, "flaky", JobTypeOptions.DEFAULTS.backoff(backoff), ctx -> {
      starts.add(System.nanoTime());
      return ctx.attempt() < 3
          ? Future.failedFuture(RunFailure.transientFailure("http_503", "server busy"))
          : Future.succeededFuture(new JsonObject().put("attempt", ctx.attempt()));
    }));

    Waits.until(LONG, "the run completed on its third attempt", () -> "completed".equals(status(id)));
    assertThat(starts).hasSize(3);
    assertThat(Duration.ofNanos(starts.get(1) - starts.get(0))).isGreaterThanOrEqualTo(backoff);
    assertThat(Duration.ofNanos(starts.get(2) - starts.get(1))).isGreaterThanOrEqualTo(backoff.multipliedBy(2));
    var messages = fx.rows("select message from run_events where run_id = $1 order by id", id).stream()
        .map(r -> r.getString("message")).toList();
    assertThat(messages).containsExactly(
        "attempt 1 of 4 failed, retrying in 300 ms: server busy",
        "attempt 2 of 4 failed, retrying in 600 ms: server busy");
    assertThat(await(fx.queue.get(id)).orElseThrow().getJsonObject("result").getInteger("attempt")).isEqualTo(3);
  }

  @Test
  @DisplayName("a run that keeps failing fails after its last attempt, with the cause")
  void failsAfterLastAttempt() {
    var id = await(fx.queue.enqueue(NewRun.of("broken", new JsonObject())));
    fx.deploy(vertx -> worker(vertx, "broken", JobTypeOptions.DEFAULTS.backoff(Duration.ofMillis(10)).maxAttempts(2),
        ctx -> Future.failedFuture(new IllegalStateException("disk on fire"))));

    Waits.until(LONG, "the run failed", () -> "failed".equals(status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(run.getInteger("attempts")).isEqualTo(2);
    assertThat(run.getJsonObject("error").getString("message")).isEqualTo("disk on fire");
    assertThat(run.getString("finished_at")).isNotNull();
  }

  @Test
  @DisplayName("a permanent failure fails at once, without retrying")
  void permanentFailure() {
    var id = await(fx.queue.enqueue(NewRun.of("gone", new JsonObject())));
    var calls = new AtomicInteger();
    fx.deploy(vertx -> worker(vertx, "gone", JobTypeOptions.DEFAULTS, ctx -> {
      calls.incrementAndGet();
      return Future.failedFuture(RunFailure.permanent("http_404", "feed returned 404 Not Found"));
    }));

    Waits.until(LONG, "the run failed", () -> "failed".equals(status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(calls.get()).isEqualTo(1);
    assertThat(run.getInteger("attempts")).isEqualTo(1);
    assertThat(run.getJsonObject("error").getString("code")).isEqualTo("http_404");
    assertThat(run.getJsonObject("error").getBoolean("permanent")).isTrue();
  }

  @Test
  @DisplayName("a postponed run waits in the queue without burning an attempt or writing an event, then runs")
  void postponeKeepsAttempts() {
    var id = await(fx.queue.enqueue(NewRun.of("busy_host", new JsonObject())));
    var calls = new AtomicInteger();
    fx.deploy(vertx -> worker(vertx, "busy_host", JobTypeOptions.DEFAULTS.maxAttempts(1), ctx ->
        calls.incrementAndGet() <= 3
            ? Future.failedFuture(RunFailure.postpone("host_busy", "waiting for a slot", Duration.ofMillis(50)))
            : Future.succeededFuture(new JsonObject().put("attempt", ctx.attempt()))));

    Waits.until(LONG, "the run completed", () -> "completed".equals(status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(calls.get()).isEqualTo(4);
    assertThat(run.getInteger("attempts")).isEqualTo(1);
    assertThat(run.getJsonObject("result").getInteger("attempt")).isEqualTo(1);
    assertThat(fx.count("select count(*) from run_events where run_id = $1", id)).isZero();
  }

  @Test
  @DisplayName("cancelling a running run stops its handler and marks it cancelled")
  void cancelRunning() {
    var id = await(fx.queue.enqueue(NewRun.of("long", new JsonObject())));
    var reason = new CompletableReason();
    fx.deploy(vertx -> worker(vertx, "long", JobTypeOptions.DEFAULTS, ctx -> {
      var done = Promise.<JsonObject>promise();
      ctx.cancelled().onSuccess(r -> {
        reason.set(r);
        done.fail("stopped: " + r);
      });
      return done.future();
    }));
    Waits.until(LONG, "the run is running", () -> "running".equals(status(id)));

    assertThat(await(fx.queue.requestCancel(id))).isEqualTo(RunQueue.CancelOutcome.REQUESTED);

    Waits.until(LONG, "the run is cancelled", () -> "cancelled".equals(status(id)));
    assertThat(reason.get()).isEqualTo("cancelled by request");
    assertThat(await(fx.queue.requestCancel(id))).isEqualTo(RunQueue.CancelOutcome.ALREADY_FINISHED);
  }

  @Test
  @DisplayName("cancelling a queued run cancels it before any worker takes it")
  void cancelQueued() {
    var id = await(fx.queue.enqueue(NewRun.of("nobody-serves-this", new JsonObject())));
    assertThat(await(fx.queue.requestCancel(id))).isEqualTo(RunQueue.CancelOutcome.CANCELLED);
    assertThat(status(id)).isEqualTo("cancelled");
    assertThat(await(fx.queue.requestCancel(UUID.randomUUID()))).isEqualTo(RunQueue.CancelOutcome.NOT_FOUND);
  }

  @Test
  @DisplayName("a worker that stops gracefully hands its running runs back at once, and another worker finishes them")
  void gracefulShutdownHandsBack() {
    var id = await(fx.queue.enqueue(NewRun.of("slow", new JsonObject())));
    var first = fx.deploy(vertx -> worker(vertx, "slow", JobTypeOptions.DEFAULTS, ctx -> Promise.<JsonObject>promise()
        .future()));
    Waits.until(LONG, "the run is running", () -> "running".equals(status(id)));

    fx.undeploy(first);
    assertThat(status(id)).isEqualTo("queued");
    assertThat(fx.rows("select attempts from runs where id = $1", id).get(0).getInteger(0))
        .as("a handed-back attempt does not count").isZero();

    fx.deploy(vertx -> worker(vertx, "slow", JobTypeOptions.DEFAULTS, ctx -> Future.succeededFuture(new JsonObject())));
    Waits.until(LONG, "the second worker completed the run", () -> "completed".equals(status(id)));
  }

  @Test
  @DisplayName("higher priorities are claimed first")
  void priorities() {
    var order = new CopyOnWriteArrayList<String>();
    await(fx.queue.enqueue(NewRun.of("p", new JsonObject().put("n", "low")).priority(Priority.LOW)));
    await(fx.queue.enqueue(NewRun.of("p", new JsonObject().put("n", "normal"))));
    await(fx.queue.enqueue(NewRun.of("p", new JsonObject().put("n", "critical")).priority(Priority.CRITICAL)));
    await(fx.queue.enqueue(NewRun.of("p", new JsonObject().put("n", "high")).priority(Priority.HIGH)));
    fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST.claimBatch(1))
        .serve("p", JobTypeOptions.DEFAULTS.concurrency(1), ctx -> {
          order.add(ctx.payload().getString("n"));
          return Future.succeededFuture(new JsonObject());
        }));
    Waits.until(LONG, "all four ran", () -> order.size() == 4);
    assertThat(order).containsExactly("critical", "high", "normal", "low");
  }

  @Test
  @DisplayName("a cluster-wide cap holds across workers: never more runs of the type at once than the cap")
  void clusterCap() {
    for (var i = 0; i < 30; i++) {
      await(fx.queue.enqueue(NewRun.of("download", new JsonObject())));
    }
    var now = new AtomicInteger();
    var peak = new AtomicInteger();
    for (var w = 0; w < 2; w++) {
      fx.deploy(vertx -> worker(vertx, "download", JobTypeOptions.DEFAULTS.concurrency(5).clusterConcurrency(3),
          ctx -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            var done = Promise.<JsonObject>promise();
            ctx.vertx().setTimer(30, t -> {
              now.decrementAndGet();
              done.complete(new JsonObject());
            });
            return done.future();
          }));
    }
    Waits.until(LONG, "all 30 completed",
        () -> fx.count("select count(*) from runs where status = 'completed'") == 30);
    assertThat(peak.get()).isBetween(1, 3);
  }

  @Test
  @DisplayName("under a cluster-wide cap, a run ending frees its place at once: the next starts without waiting "
      + "for the safety-net poll")
  void cappedPlaceFreedAtOnce() {
    for (var i = 0; i < 5; i++) {
      await(fx.queue.enqueue(NewRun.of("capped", new JsonObject())));
    }
    var started = new java.util.concurrent.ConcurrentLinkedQueue<Long>();
    // A poll far longer than the test: only a wake-up can start the next run.
    var slowPoll = QueueFixture.FAST.poll(Duration.ofMinutes(10));
    fx.deploy(vertx -> new Worker(vertx, fx.queue, slowPoll).serve("capped",
        JobTypeOptions.DEFAULTS.concurrency(4).clusterConcurrency(1), ctx -> {
          started.add(System.nanoTime());
          return Future.succeededFuture(new JsonObject());
        }));
    Waits.until(LONG, "all 5 completed",
        () -> fx.count("select count(*) from runs where type = 'capped' and status = 'completed'") == 5);
    assertThat(started).hasSize(5);
  }

  @Test
  @DisplayName("progress, output (last 500 lines) and events are kept on the run")
  void progressOutputEvents() {
    var id = await(fx.queue.enqueue(NewRun.of("chatty", new JsonObject())));
    fx.deploy(vertx -> worker(vertx, "chatty", JobTypeOptions.DEFAULTS, ctx -> {
      for (var i = 1; i <= 600; i++) {
        ctx.log("line " + i);
      }
      ctx.progress(7, 10L, "seven of ten");
      ctx.event(EventLevel.WARN, "something odd", new JsonObject().put("odd", true));
      return Future.succeededFuture(new JsonObject().put("lines", 600));
    }));
    Waits.until(LONG, "completed", () -> "completed".equals(status(id)));

    var run = await(fx.queue.get(id)).orElseThrow();
    var output = run.getJsonArray("output");
    assertThat(output).hasSize(500);
    assertThat(output.getString(0)).isEqualTo("line 101");
    assertThat(output.getString(499)).isEqualTo("line 600");
    assertThat(run.getJsonObject("progress").getMap())
        .isEqualTo(Map.of("current", 7, "total", 10, "message", "seven of ten"));
    var events = await(fx.queue.events(id, 0, 100));
    assertThat(events).hasSize(1);
    assertThat(events.getJsonObject(0).getString("level")).isEqualTo("warn");
    assertThat(events.getJsonObject(0).getString("context")).isEqualTo("chatty");
    assertThat(events.getJsonObject(0).getJsonObject("metadata").getBoolean("odd")).isTrue();
  }

  @Test
  @DisplayName("a handler can enqueue child runs, which inherit the owner and name their parent")
  void childRuns() {
    var parent = await(fx.queue.enqueue(NewRun.of("fan-out", new JsonObject()).owner("alice", null)));
    var children = new CopyOnWriteArrayList<String>();
    fx.deploy(vertx -> worker(vertx, "fan-out", JobTypeOptions.DEFAULTS, ctx -> Future.all(List.of(
            ctx.enqueue(NewRun.of("child", new JsonObject().put("n", 1))),
            ctx.enqueue(NewRun.of("child", new JsonObject().put("n", 2)))))
        .map(all -> new JsonObject().put("children", 2))));
    fx.deploy(vertx -> worker(vertx, "child", JobTypeOptions.DEFAULTS, ctx -> {
      children.add(ctx.owner());
      return Future.succeededFuture(new JsonObject());
    }));
    Waits.until(LONG, "both children ran", () -> children.size() == 2);
    assertThat(children).containsOnly("alice");
    assertThat(fx.count("select count(*) from runs where parent_id = $1", parent)).isEqualTo(2);
  }

  @Test
  @DisplayName("enqueueing with a dedupe key while one is active returns the active run instead of a second")
  void dedupe() {
    var first = await(fx.queue.enqueue(NewRun.of("download", new JsonObject()).dedupe("episode-7")));
    var second = await(fx.queue.enqueue(NewRun.of("download", new JsonObject()).dedupe("episode-7")));
    assertThat(second).isEqualTo(first);
    assertThat(fx.count("select count(*) from runs")).isEqualTo(1);
    await(fx.queue.requestCancel(first));
    var third = await(fx.queue.enqueue(NewRun.of("download", new JsonObject()).dedupe("episode-7")));
    assertThat(third).isNotEqualTo(first);
  }

  @Test
  @DisplayName("runs survive: a run enqueued is in the database before the call returns")
  void durableBeforeAnswer() {
    var id = await(fx.queue.enqueue(NewRun.of("later", new JsonObject().put("x", 1))));
    var rows = fx.rows("select status, payload from runs where id = $1", id);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString("status")).isEqualTo("queued");
    assertThat(rows.get(0).getJsonObject("payload").getInteger("x")).isEqualTo(1);
  }

  /** The reason a handler was told to stop. */
  private static final class CompletableReason {
    private volatile String value;

    void set(String v) {
      value = v;
    }

    String get() {
      return value;
    }
  }
}
