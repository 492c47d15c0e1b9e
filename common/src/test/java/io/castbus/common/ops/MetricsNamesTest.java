package io.castbus.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Promtool;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Every metric a worker process exposes is named the way Prometheus expects (promtool check metrics)")
class MetricsNamesTest {

  @Test
  @DisplayName("a launched worker process that ran a run: promtool finds nothing to say about its /metrics")
  void promtoolIsClean() throws Exception {
    try (var db = TestDatabase.create("metrics_names")) {
      var port = ChildProcess.freePort();
      var settings = Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATABASE_URL", db.url()),
          Settings.AuthMode.REQUIRED);
      var vertx = ClusterSetup.local(settings);
      try {
        Launcher.start(vertx, "metrics", false, settings, Database.of(db.url()), process -> List.of(
            new VerticleBase() {
              private Worker worker;

              @Override
              public Future<?> start() {
                worker = new Worker(vertx, new RunQueue(vertx, process.pool()), WorkerOptions.DEFAULTS)
                    .serve("lint", JobTypeOptions.DEFAULTS, ctx -> Future.succeededFuture(new JsonObject()));
                return worker.start();
              }

              @Override
              public Future<?> stop() {
                return worker.stop();
              }
            })).await(60, TimeUnit.SECONDS);
        var queue = new RunQueue(vertx, Database.of(db.url()).pool(vertx, "lint", 1));
        var run = Waits.await(queue.enqueue(NewRun.of("lint", new JsonObject())));
        Waits.until(Duration.ofSeconds(30), "the run completed",
            () -> Waits.await(queue.status(run)).orElse("").equals("completed"));

        var client = WebClient.create(vertx);
        var metrics = Waits.await(client.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();

        assertThat(metrics).contains("castbus_runs_finished_total", "process_cpu_seconds_total",
            "jvm_compilation_time_seconds_total", "system_cpus ");
        assertThat(Promtool.check(metrics)).as("promtool check metrics").isEmpty();
      } finally {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }
}
