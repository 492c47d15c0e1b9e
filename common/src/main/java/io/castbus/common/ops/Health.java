package io.castbus.common.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Startup, liveness and readiness of one process. Started: migrations applied and every verticle deployed (once,
 * for good). Ready: database reachable, migrations applied, cluster joined (checked on every call).
 */
public final class Health {

  private final Vertx vertx;
  private final Pool pool;
  private volatile boolean migrated;
  private volatile boolean started;

  public Health(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void migrationsApplied() {
    migrated = true;
  }

  public void verticlesDeployed() {
    started = true;
  }

  /** {@code {"status": "up"|"down"}}: up once the process has finished starting. */
  public JsonObject started() {
    return new JsonObject().put("status", started ? "up" : "down");
  }

  /** {@code {"status": "up"|"down", "checks": {...}}}; up only when every check passes. */
  public Future<JsonObject> ready() {
    var checks = new JsonObject();
    var cluster = !vertx.isClustered() || vertx.isClustered() && clusterActive();
    checks.put("cluster", new JsonObject().put("status", cluster ? "up" : "down")
        .put("mode", vertx.isClustered() ? "clustered" : "local"));
    checks.put("migrations", new JsonObject().put("status", migrated ? "up" : "down"));
    return pool.query("select 1").execute()
        .timeout(2, TimeUnit.SECONDS)
        .map(rows -> new JsonObject().put("status", "up"))
        .otherwise(e -> new JsonObject().put("status", "down").put("error", String.valueOf(e.getMessage())))
        .map(db -> {
          checks.put("database", db);
          var up = cluster && migrated && "up".equals(db.getString("status"));
          return new JsonObject().put("status", up ? "up" : "down").put("checks", checks);
        });
  }

  private boolean clusterActive() {
    var manager = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return manager != null && manager.isActive();
  }
}
