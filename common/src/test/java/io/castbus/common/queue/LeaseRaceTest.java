package io.castbus.common.queue;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Leases under races: reapers at once, a renewal against a reap, an outage longer than the lease")
class LeaseRaceTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @RegisterExtension
  static final QueueFixture fx = new QueueFixture("lease_races");

  private record Attempt(RunContext ctx, Promise<JsonObject> outcome) {
  }

  private List<UUID> expiredRuns(int count, String worker) {
    var ids = new ArrayList<UUID>();
    for (var i = 0; i < count; i++) {
      ids.add(await(fx.queue.enqueue(NewRun.of("leased", new JsonObject().put("n", i)))));
    }
    await(fx.queue.claim("leased", worker, count, Duration.ofSeconds(30), 4, 0));
    fx.rows("update runs set lease_until = clock_timestamp() - interval '1 second' where type = 'leased'");
    return ids;
  }

  @Test
  @DisplayName("two reapers at once, each on its own pool, requeue every expired run exactly once")
  void twoReapersAtOnce() {
    var ids = expiredRuns(200, "worker-gone");
    var other = Database.of(fx.db.url()).pool(fx.vertx, "other-reaper", 2);
    try {
      var second = new RunQueue(fx.vertx, other);
      // Small batches, so both reapers are at work on the same rows at the same time.
      // Rounds until both find nothing left: a reaper skips rows the other holds, so one round may leave some.
      var total = 0;
      var round = -1;
      while (round != 0) {
        var reaped = new ArrayList<Future<Integer>>();
        for (var i = 0; i < 20; i++) {
          reaped.add(fx.queue.reclaimExpired(10).map(rows -> rows.size()));
          reaped.add(second.reclaimExpired(10).map(rows -> rows.size()));
        }
        round = await(Future.all(reaped)).list().stream().mapToInt(n -> (Integer) n).sum();
        total += round;
      }

      assertThat(total).isEqualTo(ids.size());
      assertThat(fx.count("select count(*) from runs where type = 'leased' and status = 'queued' and attempts = 1"))
          .isEqualTo(ids.size());
      assertThat(fx.count("select count(*) from run_events where message like 'stalled:%'")).isEqualTo(ids.size());
      assertThat(fx.count("select count(distinct run_id) from run_events where message like 'stalled:%'"))
          .isEqualTo(ids.size());
    } finally {
      await(other.close());
    }
  }

  @Test
  @DisplayName("a renewal that waits on a reap in progress renews nothing, and one that comes first keeps the run "
      + "its worker's: the reaper then finds nothing to reap")
  void renewAgainstReap() {
    var reapedFirst = expiredRuns(1, "w1").get(0);
    var claims = new JsonArray().add(new JsonObject().put("id", reapedFirst.toString()).put("attempt", 1));
    var reaper = await(fx.pool.getConnection());
    try {
      await(reaper.query("begin").execute());
      var reaped = await(reaper.preparedQuery(RunSql.RECLAIM_EXPIRED).execute(Tuple.of(10)));
      assertThat(reaped.size()).isEqualTo(1);
      var renewal = fx.queue.renewLeases("w1", Duration.ofSeconds(30), claims);
      awaitLockWait(reaper);
      await(reaper.query("commit").execute());
      assertThat(await(renewal)).as("the reaped run is no longer the worker's").isEmpty();
    } finally {
      reaper.close();
    }
    assertThat(fx.status(reapedFirst)).isEqualTo("queued");

    fx.reset();
    var renewedFirst = expiredRuns(1, "w1").get(0);
    var renewed = await(fx.queue.renewLeases("w1", Duration.ofSeconds(30),
        new JsonArray().add(new JsonObject().put("id", renewedFirst.toString()).put("attempt", 1))));
    assertThat(renewed.size()).isEqualTo(1);
    assertThat(await(fx.queue.reclaimExpired(10)).size()).isZero();
    assertThat(fx.status(renewedFirst)).isEqualTo("running");
  }

  /** Waits until another backend of this database waits on a lock held by {@code holder}'s transaction. */
  private static void awaitLockWait(SqlConnection holder) {
    var pid = await(holder.query("select pg_backend_pid()").execute()).iterator().next().getInteger(0);
    Waits.until(LONG, "a statement waits on the held lock", () -> fx.count(
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' "
            + "and $1 = any(pg_blocking_pids(pid))", pid) > 0);
  }

  @Test
  @DisplayName("a database outage longer than the lease, with the worker alive: another replica reaps the run, the "
      + "worker's attempt is told to stop once it is back, and the run completes once, with the attempt that holds "
      + "the claim")
  void outageLongerThanTheLease() {
    var attempts = new CopyOnWriteArrayList<Attempt>();
    var id = await(fx.queue.enqueue(NewRun.of("outage", new JsonObject())));
    fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST).serve("outage", JobTypeOptions.DEFAULTS, ctx -> {
      var outcome = Promise.<JsonObject>promise();
      attempts.add(new Attempt(ctx, outcome));
      return outcome.future();
    }));
    Waits.until(LONG, "attempt 1 running", () -> attempts.size() == 1);

    // The other replica: a connection of its own, open before the outage and spared by it. The outage itself is
    // made from the server's maintenance database: no new connection to this one, every other one dropped.
    Pool replica = Database.of(fx.db.url()).pool(fx.vertx, "replica", 1);
    Pool server = Database.of(fx.db.url().replaceFirst("/[^/]+$", "/postgres")).pool(fx.vertx, "server", 1);
    var conn = await(replica.getConnection());
    var database = fx.db.name();
    try {
      var spared = await(conn.query("select pg_backend_pid()").execute()).iterator().next().getInteger(0);
      await(server.query("alter database " + database + " allow_connections false").execute());
      await(server.preparedQuery("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 "
          + "and pid <> $2").execute(Tuple.of(database, spared)));
      // The lease runs out while the worker cannot reach the database; the other replica reaps the run.
      var expired = false;
      var deadline = System.nanoTime() + LONG.toNanos();
      while (!expired && System.nanoTime() < deadline) {
        expired = await(conn.preparedQuery("select lease_until < clock_timestamp() from runs where id = $1")
            .execute(Tuple.of(id))).iterator().next().getBoolean(0);
        Waits.sleep(100);
      }
      assertThat(expired).as("the lease ran out during the outage").isTrue();
      assertThat(await(conn.preparedQuery(RunSql.RECLAIM_EXPIRED).execute(Tuple.of(10))).size()).isEqualTo(1);
      assertThat(attempts.get(0).ctx().isCancelled()).as("the worker cannot know yet").isFalse();
    } finally {
      await(server.query("alter database " + database + " allow_connections true").execute());
      conn.close();
      await(replica.close());
      await(server.close());
    }

    Waits.until(LONG, "attempt 2 running", () -> attempts.size() == 2);
    var first = attempts.get(0);
    Waits.until(LONG, "attempt 1 told to stop", () -> first.ctx().isCancelled());
    first.outcome().complete(new JsonObject().put("from", "attempt 1"));
    attempts.get(1).outcome().complete(new JsonObject().put("from", "attempt 2"));
    Waits.until(LONG, "the run completed", () -> "completed".equals(fx.status(id)));
    var run = await(fx.queue.get(id)).orElseThrow();
    assertThat(run.getJsonObject("result").getString("from")).isEqualTo("attempt 2");
    assertThat(run.getInteger("attempts")).isEqualTo(2);
    assertThat(new HashSet<>(attempts.stream().map(a -> a.ctx().attempt()).toList())).containsExactly(1, 2);
  }
}
