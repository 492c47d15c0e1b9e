package io.castbus.scheduler;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The scheduler under races: schedule changes and firings on two replicas")
class SchedulerRaceTest {

  private static SchedulerFixture fx;
  private Process a;
  private JobStore jobs;

  @BeforeAll
  static void database() {
    fx = new SchedulerFixture("scheduler_races");
  }

  @AfterAll
  static void close() {
    fx.close();
  }

  @BeforeEach
  void start() {
    a = fx.process();
    await(a.pool().query("truncate runs, run_events, jobs cascade").execute());
    jobs = new JobStore(a.pool(), ZoneId.of("UTC"));
  }

  @AfterEach
  void stop() {
    fx.stop(a);
  }

  private void register(JobDefinition job) {
    await(new JobRegistry(a.vertx(), a.pool()).register(List.of(job)));
  }

  private Instant nextRunAt(String job) {
    return fx.rows(a, "select next_run_at from jobs where id = $1", job).get(0).getOffsetDateTime(0).toInstant();
  }

  @Test
  @DisplayName("a due time that already has a run (a racing change wrote it back) is taken as fired: the job moves "
      + "on, and the other jobs of the batch fire")
  void alreadyFiredDueTimeDoesNotWedge() {
    register(JobDefinition.of("raced", "Raced", "work", Trigger.every(Duration.ofSeconds(30))));
    register(JobDefinition.of("bystander", "Bystander", "work", Trigger.every(Duration.ofSeconds(30))));
    var due = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
    fx.rows(a, "update jobs set next_run_at = $1", due.atOffset(ZoneOffset.UTC));
    fx.rows(a, "insert into runs (id, type, job_id, due_at) values (gen_random_uuid(), 'work', 'raced', $1)",
        due.atOffset(ZoneOffset.UTC));

    var fired = await(jobs.fireDue(Instant.now(), 500));

    assertThat(fired.locked()).isEqualTo(2);
    assertThat(fired.created()).as("the bystander's run; the raced due time keeps its one run").isEqualTo(1);
    assertThat(fx.rows(a, "select count(*) from runs where job_id = 'raced'").get(0).getLong(0)).isEqualTo(1L);
    assertThat(fx.rows(a, "select count(*) from runs where job_id = 'bystander'").get(0).getLong(0)).isEqualTo(1L);
    assertThat(nextRunAt("raced")).isAfter(Instant.now());
    assertThat(nextRunAt("bystander")).isAfter(Instant.now());
  }

  @Test
  @DisplayName("a trigger change or a resume that waited for the lock while another replica fired never writes back "
      + "the due time just fired")
  void changeAfterAFiringKeepsItsDueTime() throws Exception {
    register(JobDefinition.of("minutely", "Minutely", "work", Trigger.every(Duration.ofHours(1))));
    // The other replica's firing, due at the next minute boundary: it holds the lock while the change waits.
    var firedDue = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    var holder = await(a.pool().getConnection());
    try {
      await(holder.query("begin").execute());
      await(holder.query("select id from jobs where id = 'minutely' for update").execute());
      var change = jobs.update("minutely", Trigger.fromJson(new io.vertx.core.json.JsonObject().put("type", "cron")
          .put("expression", "* * * * *").put("timezone", "UTC"), ZoneId.of("UTC")), null);
      var resume = jobs.resume("minutely");
      await(holder.preparedQuery("update jobs set last_fired_at = $1, next_run_at = $2 where id = 'minutely'")
          .execute(Tuple.of(firedDue.atOffset(ZoneOffset.UTC), firedDue.plusSeconds(60).atOffset(ZoneOffset.UTC))));
      await(holder.preparedQuery("insert into runs (id, type, job_id, due_at, status) values (gen_random_uuid(), "
          + "'work', 'minutely', $1, 'completed')").execute(Tuple.of(firedDue.atOffset(ZoneOffset.UTC))));
      await(holder.query("commit").execute());
      await(change);
      await(resume);
    } finally {
      holder.close();
    }
    assertThat(nextRunAt("minutely")).as("after the firing, not the fired due time again").isAfter(firedDue)
        .isBeforeOrEqualTo(firedDue.plusSeconds(60));
    var fired = await(jobs.fireDue(firedDue.plusSeconds(90), 500));
    assertThat(fired.locked()).isEqualTo(1);
    assertThat(fired.created()).isEqualTo(1);
  }

  @Test
  @DisplayName("a PUT and a resume on one replica that wait on another replica's firing (held in its insert) never "
      + "write back the due time just fired, and the job keeps firing")
  void changeOnOneReplicaRacingAFiringOnAnother() {
    var b = fx.process();
    try {
      register(JobDefinition.of("minutely", "Minutely", "work", Trigger.every(Duration.ofHours(1))));
      var cron = Trigger.fromJson(new io.vertx.core.json.JsonObject().put("type", "cron")
          .put("expression", "* * * * *").put("timezone", "UTC"), ZoneId.of("UTC"));
      await(jobs.update("minutely", cron, null));
      // Replica A's clock is ahead: it fires the next minute's run while replica B's clock is still before it.
      var due = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
      fx.rows(a, "update jobs set next_run_at = $1 where id = 'minutely'", due.atOffset(ZoneOffset.UTC));
      var replicaB = new JobStore(b.pool(), ZoneId.of("UTC"));

      // A third session inserts the same firing without committing: replica A's insert waits on it, holding the job.
      var holder = await(b.pool().getConnection());
      try {
        await(holder.query("begin").execute());
        await(holder.preparedQuery("insert into runs (id, type, job_id, due_at) values (gen_random_uuid(), 'work', "
            + "'minutely', $1)").execute(Tuple.of(due.atOffset(ZoneOffset.UTC))));
        var firing = jobs.fireDue(due, 500);
        awaitLockWaits(1);
        var change = replicaB.update("minutely", cron, null);
        var resume = replicaB.resume("minutely");
        awaitLockWaits(3);
        await(holder.query("rollback").execute());
        assertThat(await(firing).created()).isEqualTo(1);
        await(change);
        await(resume);
      } finally {
        holder.close();
      }

      assertThat(nextRunAt("minutely")).as("the minute after the one fired").isEqualTo(due.plusSeconds(60));
      fx.rows(a, "update runs set status = 'completed' where job_id = 'minutely'");
      var later = await(replicaB.fireDue(due.plusSeconds(60), 500));
      assertThat(later.locked()).isEqualTo(1);
      assertThat(later.created()).as("the scheduler is not wedged").isEqualTo(1);
      assertThat(fx.rows(a, "select count(*) from runs where job_id = 'minutely'").get(0).getLong(0)).isEqualTo(2L);
    } finally {
      fx.stop(b);
    }
  }

  @Test
  @DisplayName("max_instances 1 holds when another process commits a run of the job after this replica locked it "
      + "as due: the live runs are counted after the lock, in a snapshot of their own")
  void maxInstancesCountedAfterTheLock() {
    var b = fx.process();
    try {
      register(JobDefinition.of("single", "Single", "work", Trigger.every(Duration.ofSeconds(30))));
      fx.rows(a, "update jobs set next_run_at = clock_timestamp() - interval '1 second' where id = 'single'");
      // The moment between this replica's locking statement and its decision, where another process commits a run.
      var racing = new JobStore(afterLockingDueJobs(a.pool(), () -> b.pool().preparedQuery(
          "insert into runs (id, type, job_id, status) values (gen_random_uuid(), 'work', 'single', 'running')")
          .execute().mapEmpty()), ZoneId.of("UTC"));

      var fired = await(racing.fireDue(Instant.now(), 500));

      assertThat(fired.locked()).isEqualTo(1);
      assertThat(fired.created()).as("no second live run").isZero();
      assertThat(fired.skipped()).isEqualTo(1);
      assertThat(fx.rows(a, "select count(*) from runs where job_id = 'single'").get(0).getLong(0)).isEqualTo(1L);
    } finally {
      fx.stop(b);
    }
  }

  private void awaitLockWaits(int waiting) {
    Waits.until(Duration.ofSeconds(30), waiting + " statement(s) waiting on a lock", () -> fx.rows(a,
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")
        .get(0).getLong(0) >= waiting);
  }

  /**
   * The pool, with {@code between} run after the statement that locks the due jobs succeeds and before the firing
   * goes on, inside the firing's transaction.
   */
  private static io.vertx.sqlclient.Pool afterLockingDueJobs(io.vertx.sqlclient.Pool pool,
      java.util.function.Supplier<io.vertx.core.Future<Void>> between) {
    return proxy(io.vertx.sqlclient.Pool.class, pool, (method, args) -> {
      if (method.getName().equals("withTransaction") && args.length == 1) {
        @SuppressWarnings("unchecked")
        var work = (java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<Object>>) args[0];
        return pool.withTransaction(conn -> work.apply(proxy(io.vertx.sqlclient.SqlConnection.class, conn,
            (m, a) -> m.getName().equals("preparedQuery") && SchedulerSql.LOCK_DUE.equals(a[0])
                ? proxy(io.vertx.sqlclient.PreparedQuery.class, m.invoke(conn, a), (q, qa) -> {
                  @SuppressWarnings("unchecked")
                  var executed = (io.vertx.core.Future<Object>) q.invoke(conn.preparedQuery(SchedulerSql.LOCK_DUE), qa);
                  return q.getName().equals("execute") ? executed.compose(rows -> between.get().map(rows)) : executed;
                })
                : m.invoke(conn, a))));
      }
      return method.invoke(pool, args);
    });
  }

  private interface Call {
    Object call(java.lang.reflect.Method method, Object[] args) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Object target, Call call) {
    return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, method, args) -> {
          try {
            return call.call(method, args == null ? new Object[0] : args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
