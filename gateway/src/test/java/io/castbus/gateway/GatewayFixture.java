package io.castbus.gateway;

import io.castbus.testkit.Waits;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunsService;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.castbus.cleanup.CleanupVerticle;
import io.castbus.scheduler.SchedulerVerticle;
import io.castbus.scheduler.alert.AlertVerticle;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway on a free loopback port in front of the real scheduler, runs service and a worker, over a fresh
 * database — the all-in-one process minus the feeds, downloads and cleanup modules.
 */
final class GatewayFixture implements AutoCloseable {

  static final String ADMIN_KEY = "cb_gateway_test_admin_key";
  /** A run type whose handler waits until the run is cancelled. */
  static final String BLOCKING = "test_blocking";

  final TestDatabase db;
  final Database database;
  final Vertx vertx;
  final Process process;
  final GatewayVerticle gateway;
  final String schedulerDeployment;
  final Worker worker;

  GatewayFixture(String name, Path dataDir, Map<String, String> env) {
    db = TestDatabase.create(name);
    database = Database.of(db.url());
    Migrations.migrate(database);
    var all = new HashMap<String, String>();
    all.put("HTTP_PORT", "0");
    all.put("DATA_DIR", dataDir.toString());
    all.put("AUTH_MODE", "required");
    all.putAll(env);
    var settings = Settings.load(all, Settings.AuthMode.REQUIRED);
    vertx = ClusterSetup.local(settings);
    var pool = database.pool(vertx, "main", 4);
    var health = new Health(vertx, pool);
    health.migrationsApplied();
    process = new Process(vertx, settings, database, pool, health);
    var queue = new RunQueue(vertx, pool);
    schedulerDeployment = Waits.await(vertx.deployVerticle(new SchedulerVerticle(process)));
    Waits.await(vertx.deployVerticle(new RunsService(queue)));
    Waits.await(vertx.deployVerticle(new AlertVerticle(process)));
    Waits.await(vertx.deployVerticle(new CleanupVerticle(process)));
    worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
        .serve(BLOCKING, JobTypeOptions.DEFAULTS, ctx -> ctx.cancelled().map(reason -> new JsonObject()));
    Waits.await(worker.start());
    gateway = new GatewayVerticle(process);
    Waits.await(vertx.deployVerticle(gateway));
  }

  /**
   * A gateway fixture with the feeds and downloads modules too: the whole podcast path, with a library under
   * {@code temp/downloads}, loopback feeds allowed.
   */
  static GatewayFixture withPodcasts(String name, Path temp) throws java.io.IOException {
    var fx = new GatewayFixture(name, temp.resolve("data"), Map.of("ADMIN_API_KEY", ADMIN_KEY,
        "DOWNLOAD_DIR", java.nio.file.Files.createDirectories(temp.resolve("downloads")).toString(),
        "ALLOW_PRIVATE_NETWORKS", "true"));
    Waits.await(fx.vertx.deployVerticle(new io.castbus.feeds.FeedsVerticle(fx.process)));
    Waits.await(fx.vertx.deployVerticle(new io.castbus.downloads.DownloadsVerticle(fx.process)));
    return fx;
  }

  ApiClient api() {
    return new ApiClient("http://127.0.0.1:" + gateway.actualPort(), ADMIN_KEY);
  }

  @Override
  public void close() {
    Waits.await(worker.stop());
    Waits.await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()));
    Waits.await(vertx.close());
    db.close();
  }
}
