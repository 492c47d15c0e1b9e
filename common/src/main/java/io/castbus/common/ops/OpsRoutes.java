package io.castbus.common.ops;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code /health/live}, {@code /health/ready}, {@code /health/started} and {@code /metrics}: served by every
 * process on {@code HTTP_PORT}, without a key. These are the paths of the Kubernetes probes in {@code k8s/}.
 */
public final class OpsRoutes {

  private OpsRoutes() {
  }

  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  public static final String STARTED = "/health/started";

  public static void mount(Router router, Health health) {
    router.get(LIVE).handler(live());
    router.get(READY).handler(ready(health));
    router.get(STARTED).handler(started(health));
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

  /** 200 once migrations are applied and every verticle is deployed; 503 before. */
  public static Handler<RoutingContext> started(Health health) {
    return ctx -> {
      var body = health.started();
      ctx.response()
          .setStatusCode("up".equals(body.getString("status")) ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(body.encode());
    };
  }

  public static Handler<RoutingContext> metrics() {
    return PrometheusScrapingHandler.create();
  }
}
