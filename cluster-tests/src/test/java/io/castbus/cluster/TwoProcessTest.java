package io.castbus.cluster;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ChildProcess;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Castbus across processes: the gateway, the scheduler and a worker module each in its own JVM")
class TwoProcessTest {

  private static final Duration START = Duration.ofSeconds(120);

  @Test
  @DisplayName("a job triggered over HTTP on the gateway is queued by the scheduler process and run by the cleanup process")
  void triggerAcrossProcesses() throws Exception {
    try (var cluster = new ClusterFixture("two_process", 3)) {
      var processes = cluster.startAll(List.of("scheduler-verticle", "gateway", "cleanup-verticle"), Map.of(), START);
      var scheduler = processes.get(0);
      var gateway = cluster.api(processes.get(1));

      var jobs = gateway.callUntil(200, START, "GET", "/api/jobs", null);
      assertThat(jobs.json().getJsonArray("jobs").stream().map(j -> ((io.vertx.core.json.JsonObject) j).getString("id")))
          .contains("expire_runs");

      var triggered = gateway.post("/api/jobs/expire_runs/trigger", null);
      assertThat(triggered.status()).isEqualTo(202);
      var runId = triggered.json().getString("run_id");

      gateway.callUntil(200, START, "GET", "/api/runs/" + runId, null);
      var run = gateway.awaitRun(runId, "completed", START);
      assertThat(run.getString("job_id")).isEqualTo("expire_runs");

      var paused = gateway.post("/api/jobs/expire_runs/pause", null);
      assertThat(paused.status()).isEqualTo(200);
      assertThat(paused.json().getBoolean("paused")).isTrue();
      assertThat(paused.json().getValue("next_run_time")).isNull();
      var resumed = gateway.post("/api/jobs/expire_runs/resume", null);
      assertThat(resumed.json().getBoolean("paused")).isFalse();
      assertThat(resumed.json().getString("next_run_time")).isNotNull();

      assertThat(scheduler.terminate(Duration.ofSeconds(15))).as("exit code after SIGTERM").isIn(0, 143);
      var unavailable = gateway.callUntil(503, Duration.ofSeconds(30), "GET", "/api/jobs", null);
      assertThat(unavailable.json().getString("error")).isEqualTo("unavailable");
    }
  }

  @Test
  @DisplayName("a module started with a bad setting stops at once, naming the setting")
  void badSettingStopsStartup() throws Exception {
    try (var cluster = new ClusterFixture("bad_setting", 1)) {
      ChildProcess process = cluster.start("scheduler-verticle", 0, Map.of("MAX_CONCURRENT_DOWNLOADS", "lots"));
      var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (process.isAlive() && System.nanoTime() < deadline) {
        Waits.sleep(100);
      }
      assertThat(process.isAlive()).isFalse();
      assertThat(process.tail()).contains("MAX_CONCURRENT_DOWNLOADS must be a whole number, got 'lots'");
    }
  }
}
