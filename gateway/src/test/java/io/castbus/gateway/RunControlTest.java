package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run control over HTTP through the real gateway, runs service and scheduler: retry, a job's next fire times,
 * search, bulk actions by owner, run types for admins, charts.
 */
@DisplayName("Run control API: retry, schedule preview, search, bulk actions, run types, charts")
class RunControlTest {

  @TempDir
  static Path data;
  static GatewayFixture fx;
  static ApiClient admin;
  static ApiClient alice;
  static ApiClient bob;
  static RunQueue queue;
  static long aliceId;
  static long bobId;
  static long podcastId;
  static long episodeId;
  static String downloadRun;

  @BeforeAll
  static void start() {
    fx = new GatewayFixture("run_control", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    admin = fx.api();
    var a = admin.post("/api/admin/users", "{\"name\": \"alice\", \"role\": \"user\"}").json();
    aliceId = a.getLong("id");
    alice = admin.withKey(a.getString("api_key"));
    var b = admin.post("/api/admin/users", "{\"name\": \"bob\", \"role\": \"user\"}").json();
    bobId = b.getLong("id");
    bob = admin.withKey(b.getString("api_key"));
    podcastId = sql("insert into podcasts (rss_url, title) values ('http://example.org/f.xml', 'Lighthouse Tales') "
        + "returning id").getLong("id");
    episodeId = sql("insert into episodes (podcast_id, guid, title) values ($1, 'g1', 'The Foghorn') returning id",
        podcastId).getLong("id");
    // alice: a failed download of the episode, a failed refresh of the podcast, a completed run; bob: one failed.
    downloadRun = run("download_episode", aliceId, "failed", new JsonObject().put("episode_id", episodeId),
        "connection reset by peer after 3 MB");
    run("refresh_feed", aliceId, "failed", new JsonObject().put("podcast_id", podcastId), "feed answered HTTP 500");
    run("refresh_feed", aliceId, "completed", new JsonObject().put("podcast_id", podcastId + 1), null);
    run("download_episode", bobId, "failed", new JsonObject().put("episode_id", episodeId + 1),
        "connection reset by peer");
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

  @Test
  @DisplayName("a trigger not yet saved is previewed by the scheduler; a past one-off date is refused, saying so")
  void previewUnsavedTrigger() {
    var preview = admin.post("/api/jobs/expire_runs/preview",
        "{\"trigger\": {\"type\": \"interval\", \"seconds\": 60}, \"count\": 3}");
    assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
    var times = preview.json().getJsonArray("next_run_times").stream().map(t -> Instant.parse((String) t)).toList();
    assertThat(times).hasSize(3);
    assertThat(java.time.Duration.between(times.get(0), times.get(1))).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(admin.get("/api/jobs/expire_runs").json().getString("trigger")).as("nothing saved")
        .isEqualTo("interval[1:00:00]");

    var past = "{\"trigger\": {\"type\": \"date\", \"run_at\": \"2020-01-01T00:00:00Z\"}}";
    var refused = admin.post("/api/jobs/expire_runs/preview", past);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().getString("message")).contains("is in the past: the job would never fire again");
    assertThat(admin.call("PUT", "/api/jobs/expire_runs", past).status()).isEqualTo(400);
    assertThat(admin.get("/api/jobs/expire_runs").json().getJsonObject("default_trigger_spec").getInteger("seconds"))
        .isEqualTo(3600);
    assertThat(admin.post("/api/jobs/no_such_job/preview", "{\"trigger\": {\"type\": \"interval\", "
        + "\"seconds\": 60}}").status()).isEqualTo(404);
  }

  private static io.vertx.sqlclient.Row sql(String statement, Object... args) {
    return Waits.await(fx.process.pool().preparedQuery(statement).execute(Tuple.from(args))).iterator().next();
  }

  private static String run(String type, long owner, String status, JsonObject payload, String error) {
    return sql("""
        insert into runs (id, type, owner_id, status, payload, error, finished_at)
        values (gen_random_uuid(), $1, $2, $3, $4, $5, case when $3 <> 'queued' then now() end) returning id::text""",
        type, owner, status, payload, error == null ? null : new JsonObject().put("message", error)).getString("id");
  }

  private static java.util.List<String> types(ApiClient api, String query) {
    var answer = api.get("/api/runs?" + query);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.json().getJsonArray("runs").stream().map(r -> ((JsonObject) r).getString("type") + "/"
        + ((JsonObject) r).getString("status")).sorted().toList();
  }

  @Test
  @DisplayName("q matches the error message, the podcast's and the episode's titles and payload ids; filters combine")
  void search() {
    assertThat(types(alice, "q=reset")).containsExactly("download_episode/failed");
    assertThat(types(admin, "q=reset")).hasSize(2);
    assertThat(types(alice, "q=foghorn")).as("the episode's title").containsExactly("download_episode/failed");
    assertThat(types(alice, "q=lighthouse")).as("the podcast's title").containsExactly("refresh_feed/failed");
    assertThat(types(alice, "q=" + episodeId)).as("an id in the payload").contains("download_episode/failed");
    var own = alice.get("/api/runs?q=" + downloadRun).json().getJsonArray("runs");
    assertThat(own).as("the run's own id").hasSize(1);
    assertThat(own.getJsonObject(0).getString("id")).isEqualTo(downloadRun);
    assertThat(types(alice, "podcast=" + podcastId)).as("the podcast's own runs and its episodes' downloads")
        .containsExactly("download_episode/failed", "refresh_feed/failed");
    assertThat(types(alice, "episode=" + episodeId)).containsExactly("download_episode/failed");
    assertThat(types(alice, "status=failed&type=refresh_feed")).containsExactly("refresh_feed/failed");
    assertThat(types(alice, "created_after=2000-01-01T00:00:00Z&q=500")).containsExactly("refresh_feed/failed");
    assertThat(types(alice, "created_before=2000-01-01T00:00:00Z")).isEmpty();
    assertThat(types(alice, "q=reset_by")).as("_ is a character, not a wildcard").isEmpty();
    assertThat(alice.get("/api/runs?created_after=yesterday").status()).isEqualTo(400);
  }

  @Test
  @DisplayName("each run says what it works on: its episode and podcast, or its podcast, by title; nothing for other payloads")
  void subjects() {
    var subjects = new java.util.HashMap<String, String>();
    alice.get("/api/runs?limit=100").json().getJsonArray("runs").forEach(r -> {
      var run = (JsonObject) r;
      subjects.put(run.getString("type") + "/" + run.getString("status"), run.getString("subject"));
    });
    assertThat(subjects).containsEntry("download_episode/failed", "The Foghorn · Lighthouse Tales")
        .containsEntry("refresh_feed/failed", "Lighthouse Tales")
        .as("a podcast that is gone").containsEntry("refresh_feed/completed", null);
    assertThat(alice.get("/api/runs/" + downloadRun).json().getString("subject"))
        .isEqualTo("The Foghorn · Lighthouse Tales");
    var odd = Waits.await(queue.enqueue(NewRun.of("test_unserved",
        new JsonObject().put("episode_id", "1; drop table runs").put("podcast_id", 99999999999999999L))
        .owner("alice", aliceId))).toString();
    var answer = alice.get("/api/runs/" + odd);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().getString("subject")).as("ids that are not numbers, and unknown ones, name nothing")
        .isNull();
    assertThat(alice.get("/api/runs?limit=100").status()).isEqualTo(200);
    assertThat(admin.post("/api/runs/" + odd + "/cancel", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("bulk: a user's action touches only their runs; unknown actions and fields are 400s naming them")
  void bulk() {
    var first = run("test_bulk", aliceId, "failed", new JsonObject(), "quota exceeded");
    var other = run("test_bulk", bobId, "failed", new JsonObject(), "quota exceeded");

    var retried = alice.post("/api/runs/bulk", "{\"action\": \"retry\", \"filter\": {\"q\": \"quota\"}}");

    assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
    assertThat(retried.json().getInteger("matched")).isEqualTo(1);
    assertThat(retried.json().getInteger("done")).isEqualTo(1);
    assertThat(types(bob, "type=test_bulk")).containsExactly("test_bulk/failed");
    var queued = alice.get("/api/runs?type=test_bulk&status=queued").json().getJsonArray("runs");
    assertThat(queued.getJsonObject(0).getString("retry_of")).isEqualTo(first);

    var cancelled = alice.post("/api/runs/bulk",
        "{\"action\": \"cancel\", \"filter\": {\"type\": \"test_bulk\", \"status\": \"queued\"}}");
    assertThat(cancelled.json().getInteger("done")).isEqualTo(1);
    var actions = alice.get("/api/run-actions").json().getJsonArray("actions");
    assertThat(actions).hasSize(2);
    assertThat(actions.getJsonObject(0).getString("actor")).isEqualTo("alice");
    assertThat(bob.get("/api/run-actions").json().getJsonArray("actions")).isEmpty();
    assertThat(admin.get("/api/run-actions").json().getJsonArray("actions").size()).isGreaterThanOrEqualTo(2);

    var unknown = alice.post("/api/runs/bulk", "{\"action\": \"explode\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().getString("message")).contains("unknown action 'explode'");
    var field = alice.post("/api/runs/bulk", "{\"action\": \"delete\", \"filter\": {\"colour\": \"red\"}}");
    assertThat(field.status()).isEqualTo(400);
    assertThat(field.json().getString("message")).contains("unknown filter field 'colour'");
    var notAnId = alice.post("/api/runs/bulk", "{\"action\": \"delete\", \"filter\": {\"ids\": [\"x\"]}}");
    assertThat(notAnId.status()).isEqualTo(400);
    assertThat(notAnId.json().getString("message")).contains("'x', which is not a run id");
    var othersRun = alice.post("/api/runs/bulk", "{\"action\": \"retry\", \"filter\": {\"ids\": [\"" + other + "\"]}}");
    assertThat(othersRun.json().getInteger("matched")).as("bob's run, named by id, is not alice's").isZero();
    var byId = admin.post("/api/runs/bulk", "{\"action\": \"retry\", \"filter\": {\"ids\": [\"" + other + "\"]}}");
    assertThat(byId.json().getInteger("done")).isEqualTo(1);
    var nothing = alice.post("/api/runs/bulk", "{\"action\": \"delete\", \"filter\": {\"type\": \"none_such\"}}");
    assertThat(nothing.json().getInteger("matched")).isZero();
    assertThat(admin.get("/api/runs/" + other).json().getString("status")).as("a retry leaves the old run as it ended")
        .isEqualTo("failed");
  }

  @Test
  @DisplayName("run types: admins list, pause, resume and cap them; users get 403; bad caps 400, unknown types 404")
  void runTypes() {
    var listed = admin.get("/api/run-types");
    assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
    var blocking = listed.json().getJsonArray("run_types").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("type").equals(GatewayFixture.BLOCKING)).findFirst().orElseThrow();
    assertThat(blocking.getJsonArray("workers")).hasSize(1);
    assertThat(blocking.getJsonObject("concurrency").getInteger("per_worker")).isEqualTo(4);
    assertThat(blocking.getBoolean("paused")).isFalse();

    var paused = admin.post("/api/run-types/" + GatewayFixture.BLOCKING + "/pause", null);
    assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
    assertThat(paused.json().getBoolean("paused")).isTrue();
    assertThat(paused.json().getString("updated_by")).isEqualTo("admin");
    var capped = admin.call("PUT", "/api/run-types/" + GatewayFixture.BLOCKING, "{\"concurrency\": 2}");
    assertThat(capped.json().getJsonObject("concurrency").getInteger("cluster")).isEqualTo(2);
    var resumed = admin.post("/api/run-types/" + GatewayFixture.BLOCKING + "/resume", null);
    assertThat(resumed.json().getBoolean("paused")).isFalse();
    var reset = admin.call("PUT", "/api/run-types/" + GatewayFixture.BLOCKING, "{\"concurrency\": null}");
    assertThat(reset.json().getJsonObject("concurrency").getBoolean("steered")).isFalse();

    assertThat(admin.call("PUT", "/api/run-types/" + GatewayFixture.BLOCKING, "{\"concurrency\": 0}").status())
        .isEqualTo(400);
    assertThat(admin.call("PUT", "/api/run-types/" + GatewayFixture.BLOCKING, "{\"concurrency\": 1001}").status())
        .isEqualTo(400);
    assertThat(admin.post("/api/run-types/no_such_type/pause", null).status()).isEqualTo(404);
    assertThat(alice.get("/api/run-types").status()).isEqualTo(403);
    assertThat(alice.post("/api/run-types/" + GatewayFixture.BLOCKING + "/pause", null).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("charts: a type's and a job's last durations and 24 hourly outcome counts")
  void stats() {
    var type = admin.get("/api/run-types/refresh_feed/stats");
    assertThat(type.status()).as(type.toString()).isEqualTo(200);
    assertThat(type.json().getJsonArray("hourly")).hasSize(24);
    var hourly = type.json().getJsonArray("hourly").stream().map(JsonObject.class::cast).toList();
    assertThat(hourly.stream().mapToLong(h -> h.getLong("failed")).sum()).isEqualTo(1);
    assertThat(hourly.stream().mapToLong(h -> h.getLong("completed")).sum()).isEqualTo(1);
    assertThat(type.json().getJsonArray("durations")).hasSize(2);

    var job = admin.get("/api/jobs/expire_runs/stats");
    assertThat(job.status()).isEqualTo(200);
    assertThat(job.json().getJsonArray("hourly")).hasSize(24);
    assertThat(admin.get("/api/jobs/no_such_job/stats").status()).isEqualTo(404);
    assertThat(admin.get("/api/run-types/no_such_type/stats").status()).isEqualTo(404);
  }
}
