package io.castbus.app;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunsService;
import io.castbus.gateway.GatewayVerticle;
import io.castbus.scheduler.ExpireRunsVerticle;
import io.castbus.scheduler.SchedulerVerticle;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Every Castbus verticle in one JVM on the local event bus, over DATABASE_URL or an embedded PostgreSQL. */
public final class CastbusApp implements AutoCloseable {

  private final Vertx vertx;
  private final EmbeddedDatabase embedded;

  private CastbusApp(Vertx vertx, EmbeddedDatabase embedded) {
    this.vertx = vertx;
    this.embedded = embedded;
  }

  /** Starts the app and returns once every verticle is deployed and serving. */
  public static CastbusApp start(Settings settings) throws Exception {
    var embedded = settings.databaseUrl() == null ? EmbeddedDatabase.start(settings.dataDir()) : null;
    var url = embedded == null ? settings.databaseUrl() : embedded.url();
    var vertx = ClusterSetup.local(settings);
    try {
      Launcher.start(vertx, "castbus", true, settings, Database.of(url), p -> List.of(
              new SchedulerVerticle(p),
              new RunsService(new RunQueue(p.vertx(), p.pool())),
              new ExpireRunsVerticle(p),
              new GatewayVerticle(p)))
          .await(120, TimeUnit.SECONDS);
      return new CastbusApp(vertx, embedded);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws IOException {
    Launcher.shutdown(vertx, "castbus");
    if (embedded != null) {
      embedded.close();
    }
  }
}
