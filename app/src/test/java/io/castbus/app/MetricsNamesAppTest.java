package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Promtool;
import io.castbus.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The all-in-one app's /metrics passes promtool check metrics")
class MetricsNamesAppTest {

  @TempDir
  Path data;

  @Test
  @DisplayName("after API traffic and a run, promtool finds nothing to say about the app's metrics")
  void promtoolIsClean() throws Exception {
    try (var db = TestDatabase.create("app_metrics_names"); var app = AppProcess.start(data, db, Map.of())) {
      var api = new ApiClient(app.baseUrl(), null);
      var run = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
      api.awaitRun(run, "completed", Duration.ofSeconds(60));
      var metrics = api.get("/metrics").text();

      assertThat(metrics).contains("castbus_runs_finished_total", "http_server_requests");
      assertThat(Promtool.check(metrics)).as("promtool check metrics").isEmpty();
    }
  }
}
