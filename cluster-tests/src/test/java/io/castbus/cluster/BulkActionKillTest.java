package io.castbus.cluster;

import static io.castbus.cluster.ClusterFixture.answered;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A bulk action whose process is killed: every run untouched or fully acted on, and the action reads "
    + "as interrupted with how many were done")
class BulkActionKillTest {

  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int RUNS = 60_000;
  private static final String RETRY_ALL =
      "{\"action\": \"retry\", \"filter\": {\"type\": \"kill_probe\", \"status\": \"failed\"}}";
  /** The runs service (bulk actions among its calls) lives in the scheduler processes; either may take a call. */
  private static final List<String> MODULES = List.of("gateway", "scheduler-verticle", "scheduler-verticle");

  @Test
  @DisplayName("SIGKILL of the scheduler process running a bulk retry: the other one lists the action interrupted, "
      + "its done count equal to the runs retried, in whole batches, none twice; the same call again does the rest")
  void killedMidAction() throws Exception {
    try (var cluster = new ClusterFixture("bulk-kill", MODULES.size())) {
      var members = cluster.startAll(MODULES, Map.of(), START);
      cluster.db.execute("""
          insert into runs (id, type, status, error, finished_at)
          select gen_random_uuid(), 'kill_probe', 'failed', jsonb_build_object('message', 'flaky upstream'), now()
            from generate_series(1, %d)""".formatted(RUNS));
      var api = cluster.api(members.get(0));

      var call = CompletableFuture.supplyAsync(() -> api.call("POST", "/api/runs/bulk", RETRY_ALL));
      var underWay = Waits.untilValue(WAIT, "the bulk retry two batches in", () -> action(api),
          a -> a != null && a.getInteger("done") >= 2000);
      assertThat(underWay.getString("state")).as("an action under way reads as running").isEqualTo("running");
      var acting = members.subList(1, 3).stream().filter(p -> p.printed("Bulk action " + underWay.getLong("id")))
          .findFirst().orElseThrow(() -> new AssertionError("no scheduler process logged the bulk action"));
      acting.kill();
      assertThat(call.get().status()).as("the action's process died before it could answer").isNotEqualTo(200);

      var after = Waits.untilValue(WAIT, "the action read as interrupted", () -> action(api),
          a -> "interrupted".equals(a.getString("state")));
      var done = after.getLong("done");
      assertThat(after.getInteger("matched")).isEqualTo(RUNS);
      assertThat(done).as("cut short by the kill").isBetween(2000L, (long) RUNS - 1000);
      assertThat(done % 1000).as("whole batches only").isZero();
      assertThat(cluster.db.queryLong("select count(*) from runs where type = 'kill_probe' and retry_of is not null"))
          .as("exactly the runs counted as done were retried").isEqualTo(done);
      assertThat(cluster.db.queryLong("""
          select count(distinct retry_of) from runs where type = 'kill_probe' and retry_of is not null"""))
          .as("none twice").isEqualTo(done);
      assertThat(cluster.db.queryLong("select count(*) from runs where type = 'kill_probe' and status = 'failed'"))
          .as("the failed runs stay in history").isEqualTo(RUNS);

      var rest = answered(api, "POST", "/api/runs/bulk", RETRY_ALL, 200, WAIT).json();
      assertThat(rest.getLong("matched")).isEqualTo(RUNS);
      assertThat(rest.getLong("done")).as("the same call again retries the rest").isEqualTo(RUNS - done);
      assertThat(rest.getLong("skipped")).as("and skips the runs already retried").isEqualTo(done);
      assertThat(cluster.db.queryLong("""
          select count(distinct retry_of) from runs where type = 'kill_probe' and retry_of is not null"""))
          .as("every failed run retried once").isEqualTo(RUNS);
    }
  }

  /** The newest bulk retry as {@code GET /api/run-actions} lists it, or null before there is one. */
  private static JsonObject action(ApiClient api) {
    return answered(api, "GET", "/api/run-actions?limit=5", null, 200, WAIT).json().getJsonArray("actions")
        .stream().map(JsonObject.class::cast).filter(a -> "bulk_retry".equals(a.getString("action"))).findFirst()
        .orElse(null);
  }
}
