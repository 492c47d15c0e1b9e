package io.castbus.common.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/** The HTTP server of a worker-only process: health and metrics, nothing else. */
public final class OpsServer extends VerticleBase {

  private final Health health;
  private final int port;
  private HttpServer server;

  public OpsServer(Health health, int port) {
    this.health = health;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    var router = Router.router(vertx);
    OpsRoutes.mount(router, health);
    return vertx.createHttpServer().requestHandler(router).listen(port).onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
