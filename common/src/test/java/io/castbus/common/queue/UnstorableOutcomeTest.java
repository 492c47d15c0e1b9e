package io.castbus.common.queue;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Outcomes PostgreSQL cannot store: a NUL is made storable, one refused completion fails alone")
class UnstorableOutcomeTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @RegisterExtension
  static final QueueFixture fx = new QueueFixture("unstorable_outcomes");

  @Test
  @DisplayName("a result, an output line and an event holding U+0000 are stored with U+FFFD in its place")
  void nulIsReplaced() {
    var id = await(fx.queue.enqueue(NewRun.of("nul", new JsonObject())));
    fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST).serve("nul", JobTypeOptions.DEFAULTS, ctx -> {
      ctx.log("a line with a \u0000 in it");
      ctx.event(EventLevel.INFO, "an event with a \u0000", new JsonObject().put("k\u0000", "v\u0000"));
      return Future.succeededFuture(new JsonObject().put("text", "before\u0000after"));
    }));
    Waits.until(LONG, "the run completed", () -> "completed".equals(fx.status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(run.getJsonObject("result").getString("text")).isEqualTo("before\uFFFDafter");
    assertThat(fx.rows("select output from runs where id = $1", id).get(0).getArrayOfStrings("output"))
        .contains("a line with a \uFFFD in it");
    assertThat(fx.rows("select message from run_events where run_id = $1 and message like 'an event%'", id).get(0)
        .getString("message")).isEqualTo("an event with a \uFFFD");
  }

  @Test
  @DisplayName("a completion PostgreSQL refuses (a number jsonb cannot hold) fails its run with the database's "
      + "message; the runs completed in the same batch and after it complete")
  void refusedCompletionFailsAlone() {
    var release = Promise.<Void>promise();
    var bad = await(fx.queue.enqueue(NewRun.of("mixed", new JsonObject().put("bad", true))));
    var batchmates = new java.util.ArrayList<UUID>();
    for (var i = 0; i < 5; i++) {
      batchmates.add(await(fx.queue.enqueue(NewRun.of("mixed", new JsonObject().put("bad", false)))));
    }
    fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST)
        .serve("mixed", JobTypeOptions.DEFAULTS.concurrency(8), ctx -> release.future().map(v ->
            ctx.payload().getBoolean("bad")
                ? new JsonObject().put("n", new BigDecimal("1E+200000"))
                : new JsonObject().put("ok", true))));
    Waits.until(LONG, "all six running", () -> fx.count("select count(*) from runs where status = 'running'") == 6);
    release.complete();

    Waits.until(LONG, "the refused run failed", () -> "failed".equals(fx.status(bad)));
    var failed = await(fx.queue.get(bad)).orElseThrow();
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("unstorable_result");
    assertThat(failed.getJsonObject("error").getString("message")).contains("numeric");
    assertThat(failed.getInteger("attempts")).as("not retried: the same result would be refused again").isEqualTo(1);
    for (var id : batchmates) {
      Waits.until(LONG, "a batchmate completed", () -> "completed".equals(fx.status(id)));
    }
    var later = await(fx.queue.enqueue(NewRun.of("mixed", new JsonObject().put("bad", false))));
    Waits.until(LONG, "a run after it completed", () -> "completed".equals(fx.status(later)));
  }
}
