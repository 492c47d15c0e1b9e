package io.castbus.common.queue;

import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A cancel always sticks: whatever a worker writes after it, the run ends cancelled and is not run again")
class CancelSticksTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  @RegisterExtension
  static final QueueFixture fx = new QueueFixture("cancel_sticks");

  /** A run claimed by worker w1, then a cancel asked for while it runs (whose bus message w1 never sees). */
  private UUID runningWithCancelAsked() {
    var id = await(fx.queue.enqueue(NewRun.of("sticky", new JsonObject())));
    assertThat(await(fx.queue.claim("sticky", "w1", 1, LEASE, 3, 0))).extracting(ClaimedRun::id).containsExactly(id);
    assertThat(await(fx.queue.requestCancel(id))).isEqualTo(RunQueue.CancelOutcome.REQUESTED);
    return id;
  }

  private void assertNotClaimedAgain() {
    assertThat(await(fx.queue.claim("sticky", "w2", 10, LEASE, 3, 0))).isEmpty();
  }

  @Test
  @DisplayName("a failed attempt that would be retried ends cancelled")
  void endAttemptHonoursTheCancel() {
    var id = runningWithCancelAsked();
    var rows = await(fx.queue.endAttempt(id, 1, "w1", RunStatus.QUEUED, Duration.ZERO,
        new JsonObject().put("code", "io").put("message", "connection reset"), "warn", "attempt 1 of 3 failed"));
    assertThat(rows.iterator().next().getString("status")).isEqualTo("cancelled");
    assertThat(fx.status(id)).isEqualTo("cancelled");
    assertNotClaimedAgain();
  }

  @Test
  @DisplayName("a postponed run ends cancelled")
  void postponeHonoursTheCancel() {
    var id = runningWithCancelAsked();
    await(fx.queue.postpone(id, 1, "w1", Duration.ZERO, "the host is busy"));
    assertThat(fx.status(id)).isEqualTo("cancelled");
    assertNotClaimedAgain();
  }

  @Test
  @DisplayName("a run handed back by a stopping worker ends cancelled")
  void handBackHonoursTheCancel() {
    var id = runningWithCancelAsked();
    var rows = await(fx.queue.handBack("w1"));
    assertThat(rows.iterator().next().getString("status")).isEqualTo("cancelled");
    assertThat(fx.status(id)).isEqualTo("cancelled");
    assertNotClaimedAgain();
  }

  @Test
  @DisplayName("a queued run flagged for cancel is never claimed")
  void claimSkipsAFlaggedRun() {
    var id = await(fx.queue.enqueue(NewRun.of("sticky", new JsonObject())));
    fx.rows("update runs set cancel_requested = true where id = $1", id);
    assertNotClaimedAgain();
  }

  @Test
  @DisplayName("one cancel request answers for every state: queued → cancelled, running → requested, finished, "
      + "unknown")
  void oneStatementForEveryState() {
    var queued = await(fx.queue.enqueue(NewRun.of("sticky", new JsonObject())));
    assertThat(await(fx.queue.requestCancel(queued))).isEqualTo(RunQueue.CancelOutcome.CANCELLED);
    assertThat(fx.status(queued)).isEqualTo("cancelled");
    assertThat(await(fx.queue.requestCancel(queued))).isEqualTo(RunQueue.CancelOutcome.ALREADY_FINISHED);
    var running = runningWithCancelAsked();
    assertThat(fx.rows("select cancel_requested from runs where id = $1", running).get(0).getBoolean(0)).isTrue();
    assertThat(fx.status(running)).isEqualTo("running");
    assertThat(await(fx.queue.requestCancel(UUID.randomUUID()))).isEqualTo(RunQueue.CancelOutcome.NOT_FOUND);
  }
}
