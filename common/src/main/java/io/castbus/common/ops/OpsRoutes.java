package io.castbus.common.ops;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics}: served by every process, without a key. */
public final class OpsRoutes {

  private OpsRoutes() {
  }

  public static void mount(Router router, Health health) {
    router.get("/health/live").handler(live());
    router.get("/health/ready").handler(ready(health));
    router.get("/metrics").handler(metrics());
  }

  public static Handler<RoutingContext> live() {
    return ctx -> ctx.response().putHeader("content-type", "application/json").end("{\"status\":\"up\"}");
  }

  /** 200 when the database answers, migrations are applied and the cluster is joined; 503 naming what is down. */
  public static Handler<RoutingContext> ready(Health health) {
    return ctx -> health.ready().onComplete(ar -> {
      var body = ar.succeeded() ? ar.result()
          : new JsonObject().put("status", "down").put("error", ar.cause().getMessage());
      ctx.response()
          .setStatusCode("up".equals(body.getString("status")) ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(body.encode());
    });
  }

  public static Handler<RoutingContext> metrics() {
    return PrometheusScrapingHandler.create();
  }
}
