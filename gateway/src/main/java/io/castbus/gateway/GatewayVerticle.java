package io.castbus.gateway;

import io.castbus.common.bus.AuthRevoked;
import io.castbus.common.ServiceError;
import io.castbus.common.launch.Process;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.castbus.gateway.auth.FeedTokens;
import io.castbus.gateway.auth.HostHeader;
import io.castbus.gateway.auth.Sessions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
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

  private final Process process;
  private EventStream events;
  private HttpServer server;

  public GatewayVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    events = new EventStream(vertx, process.settings().sseStreamsPerUser());
    return events.start().compose(started -> AuthStore.open(process.pool())).compose(auth -> FeedTokens
            .open(process.pool(), auth).compose(feedTokens -> vertx.eventBus()
            .<JsonObject>consumer(AuthRevoked.ADDRESS, msg -> {
              auth.forgetAll();
              feedTokens.forgetAll();
              events.closeRevoked(AuthRevoked.from(msg.body()));
            }).completion()
            .compose(v -> bootstrapAdmin(auth))
            .compose(v -> Contract.load(vertx))
            .compose(contract -> vertx.executeBlocking(HostHeader::forThisMachine)
                .map(hosts -> router(contract, auth, feedTokens, hosts)))))
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

  private Router router(Contract contract, AuthStore auth, FeedTokens feedTokens, HostHeader hosts) {
    var sessions = new Sessions(process.pool());
    var limits = new RequestLimits(process.settings());
    var bodies = new RequestBodies(vertx);
    var builder = RouterBuilder.create(vertx, contract.openApi(), RequestExtractor.withBodyHandler());
    builder.rootHandler(RootHandlers::answerHeaders);
    builder.rootHandler(limits::perAddress);
    builder.rootHandler(RootHandlers.authenticate(
        new Authenticator(auth, sessions, process.settings().authMode(), hosts)));
    builder.rootHandler(bodies::handle);
    builder.rootHandler(RootHandlers::relabelXmlBody);
    builder.rootHandler(limits::perUser);
    var library = new LibraryFeeds(vertx, feedTokens, new MediaFiles(vertx, process.settings().downloadDir()),
        process.settings().publicBaseUrl());
    ApiRoutes.mount(builder, contract, process.health(), events, new SessionApi(auth, sessions), new UsersApi(auth),
        library, new NotificationsApi(auth, process.settings().networkPolicy()));
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

  /**
   * The dashboard: static files at /ui/, the page itself at /, its component library (a WebJar) at /ui/vendor/.
   * It uses the same API and keys as any client.
   */
  private static void dashboard(Router router) {
    router.get("/").handler(ctx -> ctx.reroute("/ui/index.html"));
    router.get("/ui/*").handler(ctx -> {
      ctx.response()
          .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'")
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    router.get("/ui/vendor/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.get("/ui/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
  }

  private static ServiceError notFound(RoutingContext ctx) {
    return ServiceError.notFound("no resource at " + ctx.request().method() + " " + ctx.request().path());
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
        AuthRevoked.any().publish(vertx.eventBus());
      }
      return result.generatedKey() == null ? Future.succeededFuture()
          : AdminKeyFile.save(vertx, process.settings().dataDir(), result.generatedKey());
    });
  }
}
