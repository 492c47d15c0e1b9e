package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The gateway's jobs and runs API, over HTTP on loopback, against the real scheduler and queue")
class GatewayApiTest {

  @TempDir
  static Path data;
  static GatewayFixture fixture;
  static ApiClient api;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_api", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    api = fixture.api();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  @DisplayName("GET /api/jobs answers seed 000's shape")
  void listJobs() {
    var response = api.get("/api/jobs");
    assertThat(response.status()).isEqualTo(200);
    var job = response.json().getJsonArray("jobs").stream().map(JsonObject.class::cast)
        .filter(j -> j.getString("id").equals("expire_runs")).findFirst().orElseThrow();
    assertThat(job.fieldNames()).contains("id", "name", "next_run_time", "trigger", "paused", "last_run", "stats");
    assertThat(job.getString("name")).isEqualTo("Expire Run History");
    assertThat(job.getString("trigger")).isEqualTo("interval[1:00:00]");
    assertThat(job.getJsonObject("stats").fieldNames())
        .contains("success_rate", "avg_duration_ms", "queue_depth", "runs");
  }

  @Test
  @DisplayName("GET /api/health/jobs rates every job with reasons; GET /api/alerts lists alerts, its limit validated")
  void healthAndAlerts() {
    var health = api.get("/api/health/jobs");
    assertThat(health.status()).as(health.toString()).isEqualTo(200);
    var job = health.json().getJsonArray("jobs").stream().map(JsonObject.class::cast)
        .filter(j -> j.getString("id").equals("backup_database")).findFirst().orElseThrow();
    assertThat(job.getString("status")).isEqualTo("ok");
    assertThat(job.getJsonArray("reasons")).isEmpty();
    assertThat(job.getJsonObject("stats").fieldNames()).contains("failure_rate", "p95_duration_ms");

    var alerts = api.get("/api/alerts?limit=5");
    assertThat(alerts.status()).as(alerts.toString()).isEqualTo(200);
    assertThat(alerts.json().getJsonArray("alerts")).isNotNull();
    assertThat(api.get("/api/alerts?limit=0").status()).isEqualTo(400);
  }

  @Test
  @DisplayName("/metrics has run outcomes by type, duration histograms, and the queue depth by type and status")
  void prometheusMetrics() {
    var run = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
    api.awaitRun(run, "completed", Duration.ofSeconds(30));
    Waits.await(new io.castbus.common.queue.RunQueue(fixture.vertx, fixture.process.pool())
        .enqueue(io.castbus.common.queue.NewRun.of("metrics_probe", new JsonObject())));
    Waits.until(Duration.ofSeconds(20), "the metrics show the run and the queue", () -> {
      var text = api.get("/metrics").text();
      return text.contains("castbus_runs_finished_total{status=\"completed\",type=\"expire_runs\"}")
          && text.contains("castbus_run_duration_seconds_bucket{status=\"completed\",type=\"expire_runs\"")
          && text.contains("castbus_queue_depth{status=\"queued\",type=\"metrics_probe\"} 1.0");
    });
  }

  @Test
  @DisplayName("trigger answers 202 with the run id, and the run completes; the job's last_run then shows it")
  void triggerRunsTheJob() {
    var response = api.post("/api/jobs/expire_runs/trigger", null);
    assertThat(response.status()).as(response.toString()).isEqualTo(202);
    var runId = response.json().getString("run_id");
    var run = api.awaitRun(runId, "completed", Duration.ofSeconds(30));
    assertThat(run.getString("job_id")).isEqualTo("expire_runs");
    assertThat(run.getString("owner")).isEqualTo("admin");
    Waits.until(Duration.ofSeconds(10), "last_run is the triggered run", () -> {
      var lastRun = api.get("/api/jobs/expire_runs").json().getJsonObject("last_run");
      return lastRun != null && runId.equals(lastRun.getString("id"));
    });

    var listed = api.get("/api/runs?job=expire_runs&limit=5").json().getJsonArray("runs");
    assertThat(listed.stream().map(r -> ((JsonObject) r).getString("id"))).contains(runId);
    var events = api.get("/api/runs/" + runId + "/events");
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.json().getJsonArray("events")).isNotNull();
  }

  @Test
  @DisplayName("trigger options reach the run: cleanup_episodes with {\"dry_run\": true} deletes nothing")
  void triggerWithOptions() {
    var response = api.post("/api/jobs/cleanup_episodes/trigger", "{\"dry_run\": true}");
    assertThat(response.status()).as(response.toString()).isEqualTo(202);
    var run = api.awaitRun(response.json().getString("run_id"), "completed", Duration.ofSeconds(30));
    assertThat(run.getJsonObject("payload").getBoolean("dry_run")).isTrue();
    assertThat(run.getJsonObject("result").getBoolean("dry_run")).isTrue();
    assertThat(api.post("/api/jobs/cleanup_episodes/trigger", "{\"dry_run\": \"yes\"}").status()).isEqualTo(400);
  }

  @Test
  @DisplayName("a paused job can be triggered: it runs, and stays paused")
  void triggerPausedJob() {
    var paused = api.post("/api/jobs/expire_runs/pause", null);
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.json().getBoolean("paused")).isTrue();
    assertThat(paused.json().getValue("next_run_time")).isNull();
    try {
      var runId = api.post("/api/jobs/expire_runs/trigger", "{\"payload\": {}}").json().getString("run_id");
      api.awaitRun(runId, "completed", Duration.ofSeconds(30));
      assertThat(api.get("/api/jobs/expire_runs").json().getBoolean("paused")).isTrue();
    } finally {
      var resumed = api.post("/api/jobs/expire_runs/resume", null);
      assertThat(resumed.json().getBoolean("paused")).isFalse();
      assertThat(resumed.json().getString("next_run_time")).isNotNull();
    }
  }

  @Test
  @DisplayName("PUT /api/jobs/{id} changes the trigger; bad triggers answer 400 naming the problem")
  void updateTrigger() {
    var cron = api.call("PUT", "/api/jobs/expire_runs",
        "{\"trigger\": {\"type\": \"cron\", \"expression\": \"0 3 * * *\", \"timezone\": \"Europe/Paris\"}}");
    assertThat(cron.status()).as(cron.toString()).isEqualTo(200);
    assertThat(cron.json().getString("trigger")).isEqualTo("cron[0 3 * * *, Europe/Paris]");

    var zero = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": {\"type\": \"interval\", \"seconds\": 0}}");
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.json().getString("message")).contains("seconds");

    var badCron = api.call("PUT", "/api/jobs/expire_runs",
        "{\"trigger\": {\"type\": \"cron\", \"expression\": \"every tuesday\"}}");
    assertThat(badCron.status()).isEqualTo(400);
    assertThat(badCron.json().getString("error")).isEqualTo("bad_request");

    var back = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": {\"type\": \"interval\", \"seconds\": 3600}}");
    assertThat(back.json().getString("trigger")).isEqualTo("interval[1:00:00]");
  }

  @Test
  @DisplayName("malformed JSON, unknown fields and wrong types answer 400 naming the field")
  void badBodies() {
    var unknown = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": {\"type\": \"interval\", \"seconds\": 60}, \"colour\": 1}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().getString("message")).contains("colour");

    var wrongType = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": {\"type\": \"interval\", \"seconds\": \"sixty\"}}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.json().getString("message")).contains("trigger.seconds");

    var malformed = api.call("PUT", "/api/jobs/expire_runs", "{\"trigger\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("error")).isEqualTo("bad_request");

    var badLimit = api.get("/api/runs?limit=100000");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().getString("message")).contains("limit");

    var badStatus = api.get("/api/runs?status=sleeping");
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.json().getString("message")).contains("status");
  }

  @Test
  @DisplayName("unknown ids and paths answer 404, wrong methods 405, oversized bodies 413 — all as JSON")
  void errors() {
    var job = api.get("/api/jobs/no_such_job");
    assertThat(job.status()).isEqualTo(404);
    assertThat(job.json().getString("error")).isEqualTo("not_found");
    assertThat(api.post("/api/jobs/no_such_job/trigger", null).status()).isEqualTo(404);
    assertThat(api.get("/api/runs/" + UUID.randomUUID()).status()).isEqualTo(404);
    assertThat(api.get("/api/runs/not-a-uuid").status()).isEqualTo(404);
    assertThat(api.post("/api/runs/" + UUID.randomUUID() + "/cancel", null).status()).isEqualTo(404);

    var nowhere = api.get("/api/nowhere");
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(nowhere.json().getString("error")).isEqualTo("not_found");

    var method = api.call("DELETE", "/api/jobs", null);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.json().getString("error")).isEqualTo("method_not_allowed");

    var big = "{\"payload\": {\"x\": \"" + "a".repeat(1_100_000) + "\"}}";
    var tooLarge = api.post("/api/jobs/expire_runs/trigger", big);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.json().getString("error")).isEqualTo("too_large");
  }

  @Test
  @DisplayName("long query strings and headers answer JSON 400, 414 or 431 at once, also to a client offering h2c")
  void longRequests() {
    // ApiClient's HttpClient offers an upgrade to cleartext HTTP/2 (h2c); the gateway stays on HTTP/1.1.
    for (var length : new int[] {5_000, 9_000, 20_000, 60_000}) {
      var long1 = api.get("/api/runs?status=" + "x".repeat(length));
      assertThat(long1.status()).as("%d characters", length).isEqualTo(400);
      assertThat(long1.json().getString("error")).isEqualTo("bad_request");
    }
    var tooLong = api.get("/api/runs?status=" + "x".repeat(70_000));
    assertThat(tooLong.status()).isEqualTo(414);
    assertThat(tooLong.json().getString("error")).isEqualTo("uri_too_long");
    var headers = api.call("GET", "/api/jobs", null, Map.of("X-Filler", "x".repeat(10_000)));
    assertThat(headers.status()).isEqualTo(431);
    assertThat(headers.json().getString("error")).isEqualTo("headers_too_large");
  }

  @Test
  @DisplayName("a running run: delete answers 409, cancel stops it within a second, then delete works")
  void cancelAndDelete() {
    var queue = new RunQueue(fixture.vertx, fixture.process.pool());
    var id = Waits.await(queue.enqueue(NewRun.of(GatewayFixture.BLOCKING, new JsonObject()))).toString();
    api.awaitRun(id, "running", Duration.ofSeconds(30));

    var delete = api.call("DELETE", "/api/runs/" + id, null);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(delete.json().getString("error")).isEqualTo("conflict");

    assertThat(api.post("/api/runs/" + id + "/cancel", null).status()).isEqualTo(200);
    var cancelled = api.awaitRun(id, "cancelled", Duration.ofSeconds(5));
    assertThat(cancelled.getString("finished_at")).isNotNull();

    var again = api.post("/api/runs/" + id + "/cancel", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(api.call("DELETE", "/api/runs/" + id, null).status()).isEqualTo(200);
    assertThat(api.get("/api/runs/" + id).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("keys: none or a wrong one → 401; X-Api-Key and Bearer both work; health and the contract need none")
  void authentication() {
    var anonymous = api.withKey(null);
    var none = anonymous.get("/api/jobs");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().getString("error")).isEqualTo("unauthorized");
    assertThat(api.withKey("cb_wrong").get("/api/jobs").status()).isEqualTo(401);
    var bearer = anonymous.call("GET", "/api/jobs", null,
        Map.of("Authorization", "Bearer " + GatewayFixture.ADMIN_KEY));
    assertThat(bearer.status()).isEqualTo(200);

    assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
    var ready = anonymous.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getString("status")).isEqualTo("up");
    var contract = anonymous.get("/api/openapi.yaml");
    assertThat(contract.status()).isEqualTo(200);
    assertThat(contract.text()).contains("openapi: 3.1.0", "/api/jobs/{id}/trigger");
    var metrics = anonymous.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
  }

  @Test
  @DisplayName("the scheduler gone → 503 naming the cause; back → the API answers again")
  void schedulerDownAndBack() {
    Waits.await(fixture.vertx.undeploy(fixture.schedulerDeployment));
    try {
      var down = api.get("/api/jobs");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.json().getString("error")).isEqualTo("unavailable");
    } finally {
      var redeployed = Waits.await(fixture.vertx.deployVerticle(
          new io.castbus.scheduler.SchedulerVerticle(fixture.process)));
      assertThat(redeployed).isNotNull();
    }
    assertThat(api.get("/api/jobs").status()).isEqualTo(200);
  }
}
