package io.castbus.scheduler;

import static io.castbus.scheduler.SchedulerFixture.await;
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
}
