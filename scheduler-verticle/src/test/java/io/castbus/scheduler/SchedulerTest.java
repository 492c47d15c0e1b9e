package io.castbus.scheduler;

import io.castbus.testkit.Waits;
import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The scheduler")
class SchedulerTest {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static SchedulerFixture fx;
  private Process a;

  @BeforeAll
  static void database() {
    fx = new SchedulerFixture("scheduler");
  }

  @AfterAll
  static void close() {
    fx.close();
  }

  @BeforeEach
  void start() {
    a = fx.process();
    await(a.pool().query("truncate runs, run_events, jobs cascade").execute());
  }

  @AfterEach
  void stop() {
    fx.stop(a);
  }

  private void register(Process p, JobDefinition job) {
    await(new JobRegistry(p.vertx(), p.pool()).register(List.of(job)));
  }

  private void deployScheduler(Process p) {
    await(p.vertx().deployVerticle(new SchedulerVerticle(p)));
  }

  private long runsOf(String job) {
    return fx.rows(a, "select count(*) from runs where job_id = $1", job).get(0).getLong(0);
  }

  @Test
  @DisplayName("two scheduler replicas fire a job exactly once per due time, with no due time missed")
  void exactlyOncePerDueTime() {
    var b = fx.process();
    try {
      register(a, JobDefinition.of("tick", "Tick", "tick", Trigger.every(Duration.ofSeconds(1))).maxInstances(100));
      deployScheduler(a);
      deployScheduler(b);
      Waits.until(LONG, "six firings", () -> runsOf("tick") >= 6);

      var dues = fx.rows(a, "select due_at from runs where job_id = 'tick' order by due_at").stream()
          .map(r -> r.getOffsetDateTime("due_at").toInstant()).toList();
      assertThat(dues).doesNotHaveDuplicates();
      for (var i = 1; i < dues.size(); i++) {
        assertThat(Duration.between(dues.get(i - 1), dues.get(i))).isEqualTo(Duration.ofSeconds(1));
      }
    } finally {
      fx.stop(b);
    }
  }

  @Test
  @DisplayName("after downtime a job fires once, not once per missed period, and its next time is in the future")
  void coalescesAfterDowntime() {
    register(a, JobDefinition.of("hourly", "Hourly", "work", Trigger.every(Duration.ofMinutes(1))));
    var missedSince = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
        .atOffset(ZoneOffset.UTC);
    fx.rows(a, "update jobs set next_run_at = $1 where id = 'hourly' returning id", missedSince);

    deployScheduler(a);
    Waits.until(LONG, "the overdue firing", () -> runsOf("hourly") == 1);
    // The firing and the job's move to its next time are one transaction: once the run is there, so is that time.
    Waits.until(LONG, "the next due time in the future", () -> fx.rows(a,
        "select next_run_at > clock_timestamp() from jobs where id = 'hourly'").get(0).getBoolean(0));

    assertThat(runsOf("hourly")).isEqualTo(1);
    var next = fx.rows(a, "select next_run_at from jobs where id = 'hourly'").get(0).getOffsetDateTime(0);
    assertThat(next.toInstant()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(1)));
    assertThat(Duration.between(missedSince, next).toSeconds() % 60).as("the cadence is kept").isZero();
  }

  @Test
  @DisplayName("after downtime a cron job fires once, and its next time is the cron's next minute")
  void cronCoalescesAfterDowntime() {
    register(a, JobDefinition.of("cron", "Cron", "work", Trigger.fromJson(new JsonObject().put("type", "cron")
        .put("expression", "* * * * *").put("timezone", "UTC"), java.time.ZoneId.of("UTC"))));
    var missedSince = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
        .atOffset(ZoneOffset.UTC);
    // Room for many live runs, so that only coalescing (not max_instances) keeps it to one firing.
    fx.rows(a, "update jobs set next_run_at = $1, max_instances = 50 where id = 'cron' returning id", missedSince);

    deployScheduler(a);
    Waits.until(LONG, "the overdue firing", () -> runsOf("cron") >= 1);
    Waits.until(LONG, "the next due time moved past now", () -> fx.rows(a,
        "select next_run_at > clock_timestamp() from jobs where id = 'cron'").get(0).getBoolean(0));
    var next = fx.rows(a, "select next_run_at from jobs where id = 'cron'").get(0).getOffsetDateTime(0).toInstant();

    assertThat(runsOf("cron")).as("one firing for the 120 missed minutes (two if a minute turned meanwhile)")
        .isBetween(1L, 2L);
    assertThat(fx.rows(a, "select count(*) from runs where job_id = 'cron' and due_at = $1", missedSince).get(0)
        .getLong(0)).as("the firing is the first missed time's").isEqualTo(1L);
    assertThat(next.getEpochSecond() % 60).as("on a minute boundary").isZero();
    assertThat(next).isBefore(Instant.now().plus(Duration.ofMinutes(1)).plusSeconds(1));
  }

  @Test
  @DisplayName("while a run of the job is queued, a firing is skipped and recorded (max_instances 1)")
  void maxInstancesSkips() {
    register(a, JobDefinition.of("busy", "Busy", "nobody-serves-this", Trigger.every(Duration.ofSeconds(1))));
    deployScheduler(a);
    Waits.until(LONG, "a second firing was skipped", () -> {
      var job = fx.request(a, Addresses.JOBS_GET, new JsonObject().put("id", "busy"));
      return job.getJsonObject("skipped").getLong("count") >= 2;
    });
    assertThat(runsOf("busy")).isEqualTo(1);
    var job = fx.request(a, Addresses.JOBS_GET, new JsonObject().put("id", "busy"));
    assertThat(job.getJsonObject("stats").getLong("queue_depth")).isEqualTo(1);
    assertThat(job.getJsonObject("skipped").getString("last_at")).isNotNull();
  }

  @Test
  @DisplayName("re-registering at restart keeps what a user changed: paused state and trigger")
  void registrationKeepsUserChanges() {
    var definition = JobDefinition.of("refresh", "Refresh", "refresh", Trigger.every(Duration.ofHours(1)));
    register(a, definition);
    deployScheduler(a);
    fx.request(a, Addresses.JOBS_UPDATE, new JsonObject().put("id", "refresh")
        .put("trigger", new JsonObject().put("type", "cron").put("expression", "0 3 * * *")
            .put("timezone", "Europe/Paris")));
    fx.request(a, Addresses.JOBS_PAUSE, new JsonObject().put("id", "refresh"));

    fx.stop(a);
    a = fx.process();
    register(a, definition.onStartup(Duration.ofSeconds(1)));
    // A job that is not paused, due on startup at the same time: once it has fired, the paused one would have too.
    register(a, JobDefinition.of("witness", "Witness", "refresh", Trigger.every(Duration.ofHours(1)))
        .onStartup(Duration.ofSeconds(1)));
    deployScheduler(a);

    var job = fx.request(a, Addresses.JOBS_GET, new JsonObject().put("id", "refresh"));
    assertThat(job.getBoolean("paused")).isTrue();
    assertThat(job.getString("next_run_time")).isNull();
    assertThat(job.getString("trigger")).isEqualTo("cron[0 3 * * *, Europe/Paris]");
    Waits.until(LONG, "the witness's startup firing", () -> runsOf("witness") == 1);
    assertThat(runsOf("refresh")).as("a paused job does not run on startup").isZero();

    job = fx.request(a, Addresses.JOBS_RESUME, new JsonObject().put("id", "refresh"));
    assertThat(job.getBoolean("paused")).isFalse();
    assertThat(Instant.parse(job.getString("next_run_time")).atZone(java.time.ZoneId.of("Europe/Paris")).getHour())
        .isEqualTo(3);
  }

  @Test
  @DisplayName("the job list has seed 000's shape: id, name, next_run_time, trigger, paused, last_run and stats")
  void jobListShape() {
    register(a, JobDefinition.of("refresh_podcasts", "Refresh Podcast Feeds", "refresh",
        Trigger.every(Duration.ofSeconds(3600))));
    register(a, JobDefinition.of("cleanup_episodes", "Cleanup Old Episodes", "cleanup",
        Trigger.every(Duration.ofSeconds(86400))));
    deployScheduler(a);

    var jobs = fx.request(a, Addresses.JOBS_LIST, new JsonObject()).getJsonArray("jobs");
    assertThat(jobs).hasSize(2);
    var refresh = jobs.getJsonObject(0);
    assertThat(refresh.getString("id")).isEqualTo("refresh_podcasts");
    assertThat(refresh.getString("name")).isEqualTo("Refresh Podcast Feeds");
    assertThat(refresh.getString("trigger")).isEqualTo("interval[1:00:00]");
    assertThat(jobs.getJsonObject(1).getString("trigger")).isEqualTo("interval[1 day, 0:00:00]");
    assertThat(Instant.parse(refresh.getString("next_run_time"))).isAfter(Instant.now());
    assertThat(refresh.getBoolean("paused")).isFalse();
    assertThat(refresh.getValue("last_run")).isNull();
    assertThat(refresh.getJsonObject("stats").fieldNames())
        .containsExactlyInAnyOrder("success_rate", "failure_rate", "avg_duration_ms", "p95_duration_ms", "queue_depth",
            "runs", "oldest_queued_at");
  }

  @Test
  @DisplayName("triggering a paused job runs it now but leaves it paused")
  void triggerPausedJob() {
    register(a, JobDefinition.of("cleanup", "Cleanup", "cleanup", Trigger.every(Duration.ofHours(24))));
    deployScheduler(a);
    fx.request(a, Addresses.JOBS_PAUSE, new JsonObject().put("id", "cleanup"));

    var reply = fx.request(a, Addresses.JOBS_TRIGGER, new JsonObject().put("id", "cleanup")
        .put("payload", new JsonObject().put("dry_run", true)));

    var run = fx.rows(a, "select job_id, payload, status from runs where id = $1::uuid", reply.getString("run_id"));
    assertThat(run).hasSize(1);
    assertThat(run.get(0).getString("job_id")).isEqualTo("cleanup");
    assertThat(run.get(0).getJsonObject("payload").getBoolean("dry_run")).isTrue();
    var job = fx.request(a, Addresses.JOBS_GET, new JsonObject().put("id", "cleanup"));
    assertThat(job.getBoolean("paused")).isTrue();
    assertThat(job.getJsonObject("last_run").getString("id")).isEqualTo(reply.getString("run_id"));
  }

  @Test
  @DisplayName("unknown jobs answer 404, bad triggers 400 naming the field")
  void badInput() {
    deployScheduler(a);
    var unknown = ServiceError.of(fx.requestFailure(a, Addresses.JOBS_GET, new JsonObject().put("id", "nope")));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.getMessage()).contains("nope");

    register(a, JobDefinition.of("j", "J", "j", Trigger.every(Duration.ofHours(1))));
    var badCron = ServiceError.of(fx.requestFailure(a, Addresses.JOBS_UPDATE, new JsonObject().put("id", "j")
        .put("trigger", new JsonObject().put("type", "cron").put("expression", "61 * * * *"))));
    assertThat(badCron.status()).isEqualTo(400);
    assertThat(badCron.getMessage()).contains("trigger.expression");

    var zero = ServiceError.of(fx.requestFailure(a, Addresses.JOBS_UPDATE, new JsonObject().put("id", "j")
        .put("trigger", new JsonObject().put("type", "interval").put("seconds", 0))));
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.getMessage()).contains("trigger.seconds");

    var badZone = ServiceError.of(fx.requestFailure(a, Addresses.JOBS_UPDATE, new JsonObject().put("id", "j")
        .put("trigger", new JsonObject().put("type", "cron").put("expression", "0 3 * * *")
            .put("timezone", "Mars/Olympus"))));
    assertThat(badZone.status()).isEqualTo(400);
    assertThat(badZone.getMessage()).contains("trigger.timezone");
  }

  @Test
  @DisplayName("a one-off date trigger fires once and then has no next run time")
  void oneOff() {
    deployScheduler(a);
    register(a, JobDefinition.of("once", "Once", "nobody", Trigger.every(Duration.ofHours(1))));
    var at = Instant.now().plusMillis(300).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fx.request(a, Addresses.JOBS_UPDATE, new JsonObject().put("id", "once")
        .put("trigger", new JsonObject().put("type", "date").put("run_at", at.toString())));

    Waits.until(LONG, "the one-off firing", () -> runsOf("once") == 1);
    var job = fx.request(a, Addresses.JOBS_GET, new JsonObject().put("id", "once"));
    assertThat(job.getString("next_run_time")).isNull();
    assertThat(job.getString("trigger")).isEqualTo("date[" + at + "]");
  }
}
