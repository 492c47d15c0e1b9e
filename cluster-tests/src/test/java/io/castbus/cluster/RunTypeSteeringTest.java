package io.castbus.cluster;

import static io.castbus.cluster.ClusterFixture.answered;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Steering a run type across processes: pause and a cap set at run time hold in two downloads processes")
class RunTypeSteeringTest {

  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String TYPE = "download_episode";
  private static final List<String> MODULES =
      List.of("gateway", "scheduler-verticle", "feeds-verticle", "downloads-verticle", "downloads-verticle");

  @Test
  @DisplayName("paused, neither downloads process claims a queued download; capped at 1 and resumed, the downloads "
      + "run one at a time across both")
  void pauseAndCapAcrossTwoWorkers() throws Exception {
    try (var media = new SlowFeedServer(4); var cluster = new ClusterFixture("steering", MODULES.size())) {
      var downloads = cluster.logs.resolve("downloads").toAbsolutePath();
      var members = cluster.startAll(MODULES, Map.of("DOWNLOAD_DIR", downloads.toString(),
          "ALLOW_PRIVATE_NETWORKS", "true", "DOWNLOAD_MIN_FREE_MB", "1", "MAX_CONCURRENT_DOWNLOADS", "3"), START);
      var api = cluster.api(members.get(0));
      Waits.until(START, "both downloads processes serve " + TYPE, () -> workers(api).size() == 2);
      assertThat(type(api).getJsonObject("concurrency").getInteger("cluster")).isEqualTo(3);

      var paused = answered(api, "POST", "/api/run-types/" + TYPE + "/pause", null, 200, WAIT);
      assertThat(paused.json().getBoolean("paused")).isTrue();
      Waits.until(WAIT, "both downloads processes paused " + TYPE, () -> members.subList(3, 5).stream()
          .allMatch(p -> p.printed("pauses " + TYPE)));
      var capped = answered(api, "PUT", "/api/run-types/" + TYPE, "{\"concurrency\": 1}", 200, WAIT);
      assertThat(capped.json().getJsonObject("concurrency").getInteger("cluster")).isEqualTo(1);

      var added = answered(api, "POST", "/api/podcasts", new JsonObject().put("rss_url", media.feedUrl())
          .put("max_episodes_to_keep", 4).put("auto_download", true).encode(), 201, WAIT);
      var queuedAt = Instant.now();
      assertThat(ClusterFixture.downloadRuns(api, WAIT)).hasSize(4);
      // Each worker re-reads its types' settings and polls for work meanwhile; once both have beaten since the
      // downloads were queued, a claim would have happened.
      Waits.until(WAIT, "both workers beat after the downloads were queued", () -> workers(api).stream()
          .allMatch(w -> Instant.parse(w.getString("last_seen")).isAfter(queuedAt.plusSeconds(1))));
      assertThat(ClusterFixture.downloadRuns(api, WAIT)).as("no download claimed while paused")
          .allMatch(r -> "queued".equals(r.getString("status")) && r.getValue("started_at") == null);
      assertThat(type(api).getLong("queued")).isEqualTo(4);

      answered(api, "POST", "/api/run-types/" + TYPE + "/resume", null, 200, WAIT);
      Waits.until(WAIT, "the 4 downloads completed after resume", () -> ClusterFixture.downloadRuns(api, WAIT)
          .stream().allMatch(r -> "completed".equals(r.getString("status"))));

      var runs = ClusterFixture.downloadRuns(api, WAIT).stream()
          .sorted(Comparator.comparing(r -> Instant.parse(r.getString("started_at")))).toList();
      for (var i = 1; i < runs.size(); i++) {
        var previousEnd = Instant.parse(runs.get(i - 1).getString("finished_at"));
        var start = Instant.parse(runs.get(i).getString("started_at"));
        assertThat(start).as("download %d started after download %d ended (cap 1)", i + 1, i)
            .isAfterOrEqualTo(previousEnd);
      }
      var episodes = answered(api, "GET", "/api/podcasts/" + added.json().getLong("id") + "/episodes", null, 200,
          WAIT).json().getJsonArray("episodes");
      assertThat(episodes.stream().map(e -> ((JsonObject) e).getString("download_status")))
          .containsOnly("completed");
    }
  }

  private static JsonObject type(ApiClient api) {
    return answered(api, "GET", "/api/run-types", null, 200, WAIT).json().getJsonArray("run_types").stream()
        .map(JsonObject.class::cast).filter(t -> t.getString("type").equals(TYPE)).findFirst()
        .orElse(new JsonObject().put("workers", new io.vertx.core.json.JsonArray()));
  }

  private static List<JsonObject> workers(ApiClient api) {
    return type(api).getJsonArray("workers").stream().map(JsonObject.class::cast).toList();
  }
}
