package io.castbus.app;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunsService;
import io.castbus.cleanup.CleanupModule;
import io.castbus.feeds.FeedsModule;
import io.castbus.downloads.DownloadsModule;
import io.castbus.gateway.GatewayVerticle;
import io.castbus.scheduler.SchedulerVerticle;
import io.castbus.scheduler.alert.AlertVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
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
      Launcher.start(vertx, "castbus", true, settings, Database.of(url), CastbusApp::verticles)
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

  /** Every module's verticles; the gateway last, so the API opens once everything behind it is up. */
  static List<Deployable> verticles(Process p) {
    var all = new ArrayList<Deployable>();
    all.add(new SchedulerVerticle(p));
    all.add(new AlertVerticle(p));
    all.add(new RunsService(new RunQueue(p.vertx(), p.pool())));
    all.addAll(CleanupModule.verticles(p));
    all.addAll(FeedsModule.verticles(p));
    all.addAll(DownloadsModule.verticles(p));
    all.add(new GatewayVerticle(p));
    return all;
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
