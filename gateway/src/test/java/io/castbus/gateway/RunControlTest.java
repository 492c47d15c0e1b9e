package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retrying a run, and a job's next fire times, through the real gateway, runs service and scheduler. */
@DisplayName("Run control: retry a failed or cancelled run; preview a job's next fire times")
class RunControlTest {

  @TempDir
  static Path data;
  static GatewayFixture fx;
  static ApiClient admin;
  static ApiClient alice;
  static ApiClient bob;
  static RunQueue queue;
  static long aliceId;

  @BeforeAll
  static void start() {
    fx = new GatewayFixture("run_control", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    admin = fx.api();
    var a = admin.post("/api/admin/users", "{\"name\": \"alice\", \"role\": \"user\"}").json();
    aliceId = a.getLong("id");
    alice = admin.withKey(a.getString("api_key"));
    bob = admin.withKey(admin.post("/api/admin/users", "{\"name\": \"bob\", \"role\": \"user\"}").json()
        .getString("api_key"));
    queue = new RunQueue(fx.vertx, fx.process.pool());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** A run of alice's of a type no worker serves, cancelled: a run that ended without doing its work. */
  private static String cancelledRun(String dedupe) {
    var run = NewRun.of("test_unserved", new JsonObject().put("episode_id", 42)).owner("alice", aliceId);
    var id = Waits.await(queue.enqueue(dedupe == null ? run : run.dedupe(dedupe))).toString();
    assertThat(admin.post("/api/runs/" + id + "/cancel", null).status()).isEqualTo(200);
    admin.awaitRun(id, "cancelled", java.time.Duration.ofSeconds(10));
    return id;
  }

  @Test
  @DisplayName("a cancelled run is retried as a new run like it, naming it; a queued one answers 409; another user's 404")
  void retry() {
    var old = cancelledRun(null);

    var retried = alice.post("/api/runs/" + old + "/retry", null);

    assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
    assertThat(retried.json().getString("retry_of")).isEqualTo(old);
    var fresh = alice.get("/api/runs/" + retried.json().getString("run_id")).json();
    assertThat(fresh.getString("status")).isEqualTo("queued");
    assertThat(fresh.getString("type")).isEqualTo("test_unserved");
    assertThat(fresh.getJsonObject("payload").getInteger("episode_id")).isEqualTo(42);
    assertThat(fresh.getLong("owner_id")).isEqualTo(aliceId);
    assertThat(fresh.getString("retry_of")).isEqualTo(old);
    assertThat(alice.get("/api/runs/" + old).json().getString("status")).as("the old one stays as it ended")
        .isEqualTo("cancelled");

    var again = alice.post("/api/runs/" + fresh.getString("id") + "/retry", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("message")).contains("is queued: only a failed or cancelled run can be retried");
    assertThat(bob.post("/api/runs/" + old + "/retry", null).status()).isEqualTo(404);
    assertThat(alice.post("/api/runs/01a00000-0000-7000-8000-000000000000/retry", null).status()).isEqualTo(404);
    assertThat(admin.post("/api/runs/" + old + "/retry", null).status()).as("admins retry any run").isEqualTo(202);
  }

  @Test
  @DisplayName("retrying while an active run has the same dedupe key answers that run, not a second one")
  void retryDeduplicated() {
    var old = cancelledRun("episode:7");
    var active = Waits.await(queue.enqueue(NewRun.of("test_unserved", new JsonObject()).owner("alice", aliceId)
        .dedupe("episode:7"))).toString();

    var retried = alice.post("/api/runs/" + old + "/retry", null);

    assertThat(retried.status()).isEqualTo(202);
    assertThat(retried.json().getString("run_id")).isEqualTo(active);
  }

  @Test
  @DisplayName("preview=n answers the next n fire times of the job's trigger, in order; outside 1 to 50, 400")
  void schedulePreview() {
    var job = admin.get("/api/jobs/expire_runs?preview=3");
    assertThat(job.status()).as(job.toString()).isEqualTo(200);
    var times = job.json().getJsonArray("next_run_times").stream().map(t -> Instant.parse((String) t)).toList();
    assertThat(times).hasSize(3).isSorted().doesNotHaveDuplicates();
    assertThat(times.get(0)).isEqualTo(Instant.parse(job.json().getString("next_run_time")));
    assertThat(admin.get("/api/jobs/expire_runs").json().containsKey("next_run_times")).isFalse();
    assertThat(admin.get("/api/jobs/expire_runs?preview=0").status()).isEqualTo(400);
    assertThat(admin.get("/api/jobs/expire_runs?preview=51").status()).isEqualTo(400);
  }
}
