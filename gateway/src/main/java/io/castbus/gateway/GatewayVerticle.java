package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.OpsRoutes;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (SPEC §3): jobs and runs, answered by the scheduler and runs services over the event bus, the live
 * event stream, the OpenAPI document every request is validated against, health and metrics. It holds no state of
 * its own beyond API-key lookups, so any number of gateways can run.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  static final long MAX_BODY_BYTES = 1024 * 1024;

  private final Process process;
  private EventStream events;
  private HttpServer server;

  public GatewayVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    var auth = new AuthStore(process.pool());
    events = new EventStream(vertx);
    events.start();
    return bootstrapAdmin(auth)
        .compose(v -> Contract.load(vertx))
        .map(contract -> router(contract, auth))
        .compose(router -> vertx.createHttpServer().requestHandler(router).listen(process.settings().httpPort()))
        .onSuccess(s -> {
          server = s;
          LOG.info("Gateway listening on port {} (auth mode {})", s.actualPort(),
              process.settings().authMode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        });
  }

  @Override
  public Future<?> stop() {
    events.stop();
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port actually bound (useful when HTTP_PORT is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router router(Contract contract, AuthStore auth) {
    var authenticator = new Authenticator(auth, process.settings().authMode());
    var admin = Authenticator.requireAdmin();
    var builder = RouterBuilder.create(vertx, contract.openApi(), RequestExtractor.withBodyHandler());
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    builder.rootHandler(ctx -> {
      var path = ctx.normalizedPath();
      if (path.startsWith("/api/") && !path.equals("/api/openapi.yaml")) {
        authenticator.handle(ctx);
      } else {
        ctx.next();
      }
    });

    on(builder, "listJobs", BusCall.to(Addresses.JOBS_LIST, 200, ctx -> new JsonObject()));
    on(builder, "getJob", BusCall.to(Addresses.JOBS_GET, 200, BusCall::id));
    on(builder, "updateJob", admin, BusCall.to(Addresses.JOBS_UPDATE, 200,
        ctx -> ctx.body().asJsonObject().copy().put("id", ctx.pathParam("id"))));
    on(builder, "triggerJob", admin, BusCall.to(Addresses.JOBS_TRIGGER, 202, ctx -> {
      var body = ctx.body().length() <= 0 ? new JsonObject() : ctx.body().asJsonObject();
      var payload = body.getJsonObject("payload", new JsonObject()).copy();
      for (var option : new String[] {"dry_run", "delete_orphans"}) {
        if (body.containsKey(option)) {
          payload.put(option, body.getValue(option));
        }
      }
      return new JsonObject().put("id", ctx.pathParam("id")).put("payload", payload)
          .put("owner", Authenticator.principal(ctx).name());
    }));
    on(builder, "pauseJob", admin, BusCall.to(Addresses.JOBS_PAUSE, 200, BusCall::id));
    on(builder, "resumeJob", admin, BusCall.to(Addresses.JOBS_RESUME, 200, BusCall::id));

    on(builder, "listRuns", BusCall.to(Addresses.RUNS_LIST, 200, ctx -> {
      var q = new JsonObject();
      for (var name : new String[] {"status", "job", "type", "cursor"}) {
        q.put(name, ctx.request().getParam(name));
      }
      var limit = ctx.request().getParam("limit");
      return q.put("limit", limit == null ? 50 : Integer.parseInt(limit));
    }));
    on(builder, "getRun", BusCall.to(Addresses.RUNS_GET, 200, BusCall::id));
    on(builder, "deleteRun", admin, BusCall.to(Addresses.RUNS_DELETE, 200, BusCall::id));
    on(builder, "getRunEvents", BusCall.to(Addresses.RUNS_EVENTS, 200, ctx -> {
      var q = BusCall.id(ctx);
      var after = ctx.request().getParam("after");
      var limit = ctx.request().getParam("limit");
      return q.put("after", after == null ? 0L : Long.parseLong(after))
          .put("limit", limit == null ? 1000 : Integer.parseInt(limit));
    }));
    on(builder, "cancelRun", admin, BusCall.to(Addresses.RUNS_CANCEL_REQUEST, 200, BusCall::id));
    on(builder, "streamEvents", events::handle);

    on(builder, "listDownloads", BusCall.to(Addresses.DOWNLOADS_LIST, 200, ctx -> {
      var q = owner(ctx).put("status", ctx.request().getParam("status"));
      var podcast = ctx.request().getParam("podcast");
      var limit = ctx.request().getParam("limit");
      return q.put("podcast", podcast == null ? null : Long.parseLong(podcast))
          .put("limit", limit == null ? 100 : Integer.parseInt(limit));
    }));
    on(builder, "downloadEpisode", BusCall.to(Addresses.EPISODES_DOWNLOAD, 202,
        ctx -> owner(ctx).put("id", Long.parseLong(ctx.pathParam("id")))));

    on(builder, "getOpenApi", ctx -> ctx.response().putHeader("content-type", "application/yaml").end(contract.yaml()));
    on(builder, "live", OpsRoutes.live());
    on(builder, "ready", OpsRoutes.ready(process.health()));
    on(builder, "metrics", OpsRoutes.metrics());
    var router = builder.createRouter();
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, ctx -> HttpErrors.send(ctx, notFound(ctx)));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, HttpErrors.ofStatus(405, null)));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, HttpErrors.ofStatus(413, null)));
    router.errorHandler(500, HttpErrors::handle);
    return router;
  }

  /** Who asks, for services that show a user only their own things: {@code {"owner", "admin"}}. */
  private static JsonObject owner(RoutingContext ctx) {
    var principal = Authenticator.principal(ctx);
    return new JsonObject().put("owner", principal.name()).put("admin", principal.isAdmin());
  }

  private static ServiceError notFound(RoutingContext ctx) {
    return ServiceError.notFound("no resource at " + ctx.request().method() + " " + ctx.request().path());
  }

  @SafeVarargs
  private static void on(RouterBuilder builder, String operationId, Handler<RoutingContext>... handlers) {
    var route = builder.getRoute(operationId);
    for (var handler : handlers) {
      route.addHandler(handler);
    }
    route.addFailureHandler(HttpErrors::handle);
  }

  /**
   * Registers ADMIN_API_KEY, or on a first start generates an admin key, writes it to DATA_DIR/admin-api-key
   * (mode 0600) and prints it once.
   */
  private Future<Void> bootstrapAdmin(AuthStore auth) {
    return auth.bootstrapAdmin(process.settings().adminApiKey()).compose(result -> {
      if (result.generatedKey() == null) {
        return Future.succeededFuture();
      }
      return vertx.<Void>executeBlocking(() -> {
        var file = process.settings().dataDir().resolve("admin-api-key");
        Files.createDirectories(file.getParent());
        try {
          Files.deleteIfExists(file);
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(file);
        }
        Files.writeString(file, result.generatedKey() + "\n");
        return null;
      }).onSuccess(v -> {
        var file = process.settings().dataDir().resolve("admin-api-key").toAbsolutePath();
        LOG.warn("Generated the admin API key (shown once, also saved to {}): {}", file, result.generatedKey());
      }).recover(e -> {
        LOG.warn("Generated the admin API key but could not save it ({}); here it is, shown once: {}",
            e.getMessage(), result.generatedKey());
        return Future.succeededFuture();
      });
    });
  }
}
