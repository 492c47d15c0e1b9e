package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.common.files.PrivateFiles;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.OpsRoutes;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.castbus.gateway.auth.HostHeader;
import io.castbus.gateway.auth.Sessions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (SPEC §3): jobs, runs, podcasts and episodes, answered by the scheduler, runs and feeds services over
 * the event bus, the live event stream, the OpenAPI document every request is validated against, health and metrics. It holds no state of
 * its own beyond API-key lookups, so any number of gateways can run.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** Query strings with long filter values fit; beyond this a request answers 414. */
  static final int MAX_REQUEST_LINE = 64 * 1024;
  /** A connection on which nothing has been sent or received for this long is closed. */
  static final int IDLE_SECONDS = 60;
  private static final String SESSION_PATH = "/api/session";
  private static final String XML_CHARSET = "castbus.xml-charset";

  private final Process process;
  private EventStream events;
  private HttpServer server;

  public GatewayVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    events = new EventStream(vertx, process.settings().sseStreamsPerUser());
    events.start();
    return AuthStore.open(process.pool()).compose(auth -> vertx.eventBus()
            .<JsonObject>consumer(Addresses.AUTH_REVOKED, msg -> {
              auth.forgetAll();
              events.closeRevoked(msg.body());
            }).completion()
            .compose(v -> bootstrapAdmin(auth))
            .compose(v -> Contract.load(vertx))
            .compose(contract -> vertx.executeBlocking(HostHeader::forThisMachine)
                .map(hosts -> router(contract, auth, hosts))))
        .compose(router -> {
          var headers = new HeaderTimeout(vertx);
          var options = serverOptions();
          return vertx.createHttpServer(options)
              .connectionHandler(connection -> {
                FramingGuardDecoder.install(connection, options);
                headers.opened(connection);
              })
              .invalidRequestHandler(HttpErrors::invalidRequest)
              .requestHandler(headers.before(RequestHygiene.before(router))).listen(process.settings().httpPort());
        })
        .onSuccess(s -> {
          server = s;
          LOG.info("Gateway listening on port {} (auth mode {})", s.actualPort(),
              process.settings().authMode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        });
  }

  /**
   * HTTP/1.1 only: a client offering an upgrade to cleartext HTTP/2 ({@code Upgrade: h2c}, as Java's HttpClient does)
   * stays on HTTP/1.1. Over h2c, a request whose headers (the path among them) pass the codec's header-list limit was
   * answered 431 with an empty body from inside the HTTP/2 codec, and a larger one closed the connection with GOAWAY
   * so the client waited out its timeout; on HTTP/1.1 the same requests answer 414 or 431 in the JSON error shape.
   */
  static HttpServerOptions serverOptions() {
    return new HttpServerOptions().setMaxInitialLineLength(MAX_REQUEST_LINE).setHttp2ClearTextEnabled(false)
        .setIdleTimeout(IDLE_SECONDS);
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

  private Router router(Contract contract, AuthStore auth, HostHeader hosts) {
    var sessions = new Sessions(process.pool());
    var authenticator = new Authenticator(auth, sessions, process.settings().authMode(), hosts);
    var admin = Authenticator.requireAdmin();
    var builder = RouterBuilder.create(vertx, contract.openApi(), RequestExtractor.withBodyHandler());
    var limits = new RequestLimits(process.settings());
    var bodies = new RequestBodies(vertx);
    builder.rootHandler(GatewayVerticle::answerHeaders);
    builder.rootHandler(limits::perAddress);
    builder.rootHandler(ctx -> {
      var path = ctx.normalizedPath();
      if (path.startsWith("/api/") && !path.equals("/api/openapi.yaml")
          && !(path.equals(SESSION_PATH) && ctx.request().method() == HttpMethod.POST)) {
        authenticator.handle(ctx);
      } else {
        ctx.next();
      }
    });
    builder.rootHandler(bodies::handle);
    builder.rootHandler(GatewayVerticle::relabelXmlBody);
    builder.rootHandler(limits::perUser);

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
      return BusCall.caller(ctx).put("id", ctx.pathParam("id")).put("payload", payload);
    }));
    on(builder, "pauseJob", admin, BusCall.to(Addresses.JOBS_PAUSE, 200, BusCall::id));
    on(builder, "resumeJob", admin, BusCall.to(Addresses.JOBS_RESUME, 200, BusCall::id));

    on(builder, "listRuns", RunsAccess.list());
    on(builder, "getRun", RunsAccess.get());
    on(builder, "deleteRun", admin, BusCall.to(Addresses.RUNS_DELETE, 200, BusCall::id));
    on(builder, "getRunEvents", RunsAccess.events());
    on(builder, "cancelRun", admin, BusCall.to(Addresses.RUNS_CANCEL_REQUEST, 200, BusCall::id));
    on(builder, "streamEvents", events::handle);
    on(builder, "jobsHealth", BusCall.to(Addresses.JOBS_HEALTH, 200, ctx -> new JsonObject()));
    // Alerts quote any user's failed runs (payloads, errors): admins only.
    on(builder, "listAlerts", admin, BusCall.to(Addresses.ALERTS_LIST, 200, ctx -> {
      var limit = ctx.request().getParam("limit");
      return new JsonObject().put("limit", limit == null ? 100 : Integer.parseInt(limit));
    }));

    var session = new SessionApi(auth, sessions);
    on(builder, "createSession", session.login());
    on(builder, "getSession", session.current());
    on(builder, "deleteSession", session.logout());

    var users = new UsersApi(auth);
    on(builder, "createUser", admin, users.createUser());
    on(builder, "listUsers", admin, users.listUsers());
    on(builder, "deleteUser", admin, users.deleteUser());
    on(builder, "listUserRuns", admin, users.userRuns());
    on(builder, "createMyKey", users.createKey());
    on(builder, "listMyKeys", users.listKeys());
    on(builder, "deleteMyKey", users.deleteKey());

    on(builder, "listPodcasts", BusCall.to(Addresses.PODCASTS_LIST, 200, BusCall::caller));
    on(builder, "addPodcast", BusCall.to(Addresses.PODCASTS_ADD, 201,
        ctx -> ctx.body().asJsonObject().copy().mergeIn(BusCall.caller(ctx))));
    on(builder, "importPodcasts", BusCall.to(Addresses.PODCASTS_IMPORT, 200, ctx -> BusCall.caller(ctx)
        .put("opml", ctx.body().buffer().getBytes())
        .put("charset", ctx.<String>get(XML_CHARSET))));
    on(builder, "exportPodcasts", BusCall.text(Addresses.PODCASTS_EXPORT, "opml", "text/x-opml; charset=utf-8",
        BusCall::caller));
    on(builder, "getPodcast", BusCall.to(Addresses.PODCASTS_GET, 200, BusCall::ownedId));
    on(builder, "updatePodcast", BusCall.to(Addresses.PODCASTS_UPDATE, 200,
        ctx -> ctx.body().asJsonObject().copy().mergeIn(BusCall.ownedId(ctx))));
    on(builder, "deletePodcast", BusCall.to(Addresses.PODCASTS_DELETE, 200, ctx -> BusCall.ownedId(ctx)
        .put("delete_files", Boolean.parseBoolean(ctx.request().getParam("delete_files")))));
    on(builder, "listEpisodes", BusCall.to(Addresses.EPISODES_LIST, 200, ctx -> {
      var limit = ctx.request().getParam("limit");
      return BusCall.caller(ctx).put("podcast_id", Long.parseLong(ctx.pathParam("id")))
          .put("limit", limit == null ? 50 : Integer.parseInt(limit)).put("cursor", ctx.request().getParam("cursor"));
    }));
    on(builder, "refreshPodcast", BusCall.to(Addresses.PODCASTS_REFRESH, 202, BusCall::ownedId));
    on(builder, "updateEpisode", BusCall.to(Addresses.EPISODES_UPDATE, 200,
        ctx -> ctx.body().asJsonObject().copy().mergeIn(BusCall.ownedId(ctx))));

    on(builder, "listDownloads", BusCall.to(Addresses.DOWNLOADS_LIST, 200, ctx -> {
      var q = BusCall.caller(ctx).put("status", ctx.request().getParam("status"));
      var podcast = ctx.request().getParam("podcast");
      var limit = ctx.request().getParam("limit");
      return q.put("podcast", podcast == null ? null : Long.parseLong(podcast))
          .put("limit", limit == null ? 100 : Integer.parseInt(limit));
    }));
    on(builder, "downloadEpisode", BusCall.to(Addresses.EPISODES_DOWNLOAD, 202,
        BusCall::ownedId));

    on(builder, "getOpenApi", ctx -> ctx.response().putHeader("content-type", "application/yaml").end(contract.yaml()));
    on(builder, "live", OpsRoutes.live());
    on(builder, "ready", OpsRoutes.ready(process.health()));
    on(builder, "started", OpsRoutes.started(process.health()));
    on(builder, "metrics", OpsRoutes.metrics());
    var router = builder.createRouter();
    dashboard(router);
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, ctx -> HttpErrors.send(ctx, notFound(ctx)));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, HttpErrors.ofStatus(405, null)));
    for (var status : new int[] {400, 413, 414, 415, 431}) {
      router.errorHandler(status, ctx -> HttpErrors.send(ctx, HttpErrors.ofStatus(status, null)));
    }
    router.errorHandler(500, HttpErrors::handle);
    return router;
  }

  /** The dashboard: static files at /ui/, the page itself at /. It uses the same API and keys as any client. */
  private static void dashboard(Router router) {
    router.get("/").handler(ctx -> ctx.reroute("/ui/index.html"));
    router.get("/ui/*").handler(ctx -> {
      ctx.response()
          .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'")
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    }).handler(StaticHandler.create("webroot").setCachingEnabled(false));
  }

  /**
   * On every answer: no content sniffing. On API answers (some carry a new key or a session's CSRF token): never
   * stored by a browser or a proxy.
   */
  private static void answerHeaders(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff");
    if (ctx.normalizedPath().startsWith("/api/")) {
      ctx.response().putHeader("Cache-Control", "no-store");
    }
    ctx.next();
  }

  /** The runs listing's query parameters, as the runs service takes them. */
  static JsonObject runQuery(RoutingContext ctx) {
    var q = new JsonObject();
    for (var name : new String[] {"status", "job", "type", "cursor"}) {
      q.put(name, ctx.request().getParam(name));
    }
    var limit = ctx.request().getParam("limit");
    return q.put("limit", limit == null ? 50 : Integer.parseInt(limit));
  }

  /** An XML body is validated as octets (see {@link Contract}); its charset is kept for the service that reads it. */
  private static void relabelXmlBody(RoutingContext ctx) {
    var contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null) {
      var parts = contentType.split(";");
      if (Contract.XML_BODIES.contains(parts[0].trim().toLowerCase(java.util.Locale.ROOT))) {
        for (var i = 1; i < parts.length; i++) {
          var p = parts[i].trim();
          if (p.regionMatches(true, 0, "charset=", 0, 8)) {
            ctx.put(XML_CHARSET, p.substring(8).replace("\"", "").trim());
          }
        }
        ctx.request().headers().set("Content-Type", Contract.OCTETS);
      }
    }
    ctx.next();
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
      if (result.revoked() > 0) {
        LOG.info("ADMIN_API_KEY changed: the previous configured admin key is revoked");
        // Every gateway forgets its cached lookups, so the old key stops working everywhere at once.
        vertx.eventBus().publish(Addresses.AUTH_REVOKED, new JsonObject());
      }
      if (result.generatedKey() == null) {
        return Future.succeededFuture();
      }
      return vertx.<Void>executeBlocking(() -> {
        var file = process.settings().dataDir().resolve("admin-api-key");
        Files.createDirectories(file.getParent());
        PrivateFiles.write(file, result.generatedKey() + "\n");
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
