package io.castbus.common.launch;

import io.castbus.common.cluster.ClusterSecret;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.ConfigException;
import io.castbus.common.config.LogOutput;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.ops.Health;
import io.castbus.common.ops.OpsServer;
import io.castbus.common.queue.LeaseReaper;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one Castbus module as its own clustered process: settings, Hazelcast, migrations, the module's verticles,
 * the process's lease reaper and (for worker processes) the health and metrics server. Exits non-zero with the cause when anything fails.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private Launcher() {
  }

  /**
   * @param module       the module's name, for logs
   * @param servesHttp   whether the module's own verticles serve HTTP_PORT (else an ops server does)
   * @param verticles    the module's verticles, made from the process's shared parts
   */
  public static void runClustered(String module, boolean servesHttp,
      Function<Process, List<? extends Deployable>> verticles) {
    Settings settings;
    try {
      settings = Settings.fromEnvironment(Settings.AuthMode.REQUIRED);
      if (settings.databaseUrl() == null) {
        throw new ConfigException("DATABASE_URL must be set when " + module + " runs as its own process");
      }
      ClusterSecret.require(settings);
      LogOutput.apply(settings.logFormat());
    } catch (ConfigException e) {
      System.err.println("castbus " + module + ": bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("Starting {} with {}", module, settings);
    var database = Database.of(settings.databaseUrl());
    ClusterSetup.clustered(settings)
        .compose(vertx -> start(vertx, module, servesHttp, settings, database, verticles))
        .onSuccess(vertx -> {
          LOG.info("{} is up (HTTP on port {})", module, settings.httpPort());
          Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, module), "castbus-shutdown"));
        })
        .onFailure(e -> {
          LOG.error("{} failed to start: {}", module, e.getMessage(), e);
          System.exit(1);
        });
  }

  /** Migrates the database and deploys the verticles on an already built Vert.x (clustered or local). */
  public static Future<Vertx> start(Vertx vertx, String module, boolean servesHttp, Settings settings,
      Database database, Function<Process, List<? extends Deployable>> verticles) {
    var pool = database.pool(vertx, "main", 16);
    var health = new Health(vertx, pool);
    var process = new Process(vertx, settings, database, pool, health);
    return Migrations.apply(vertx, database)
        .onSuccess(n -> health.migrationsApplied())
        .compose(n -> deployAll(vertx, verticles.apply(process)))
        // One reaper per process, whatever the number of workers and types it serves.
        .compose(v -> vertx.deployVerticle(new LeaseReaper(new RunQueue(vertx, pool))).mapEmpty())
        .compose(v -> servesHttp ? Future.succeededFuture()
            : vertx.deployVerticle(new OpsServer(health, settings.httpPort())).mapEmpty())
        .onSuccess(v -> health.verticlesDeployed())
        .map(v -> vertx);
  }

  private static Future<Void> deployAll(Vertx vertx, List<? extends Deployable> verticles) {
    Future<Void> chain = Future.succeededFuture();
    for (var verticle : verticles) {
      chain = chain.compose(v -> vertx.deployVerticle(verticle).mapEmpty());
    }
    return chain;
  }

  /** Undeploys every verticle (workers hand their runs back), leaves the cluster and closes, within 10 s. */
  public static void shutdown(Vertx vertx, String module) {
    LOG.info("{} is shutting down", module);
    try {
      // Verticles first, so workers hand their runs back while the database pool is still open.
      Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
          .transform(v -> vertx.close())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      LOG.info("{} stopped", module);
    } catch (Exception e) {
      LOG.warn("{} did not stop cleanly within 10 s: {}", module, e.toString());
    }
  }
}
