package io.castbus.feeds;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a free loopback port: {@code /feeds/<file>} serves the shared feed corpus as is, and tests
 * add routes of their own. Counts the requests per path.
 */
final class FeedServer implements AutoCloseable {

  /** The shared corpus beside the repository: {@code <repo root>/../shared}. */
  static final Path SHARED = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared");
  static final Path FEEDS = SHARED.resolve("feeds");
  static final Path OPML = SHARED.resolve("opml");

  private final Vertx vertx;
  private final HttpServer server;
  private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  FeedServer(Vertx vertx) throws Exception {
    this.vertx = vertx;
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setCompressionSupported(true))
        .requestHandler(this::handle)
        .listen().await(10, TimeUnit.SECONDS);
  }

  /** The corpus files of a shared folder, sorted, without its notes. */
  static java.util.List<String> corpus(Path folder) throws java.io.IOException {
    try (var files = Files.list(folder)) {
      return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
          .filter(name -> !name.endsWith(".md")).sorted().toList();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  int port() {
    return server.actualPort();
  }

  void route(String path, Handler<HttpServerRequest> handler) {
    routes.put(path, handler);
  }

  /** Serves {@code body} as an RSS document at {@code path}. */
  void feed(String path, String body) {
    route(path, req -> req.response().putHeader("Content-Type", "application/rss+xml; charset=utf-8").end(body));
  }

  int hits(String path) {
    var n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpServerRequest req) {
    hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
    var handler = routes.get(req.path());
    if (handler != null) {
      handler.handle(req);
      return;
    }
    if (req.path().startsWith("/feeds/")) {
      var file = FEEDS.resolve(req.path().substring("/feeds/".length())).normalize();
      if (file.startsWith(FEEDS) && Files.isRegularFile(file)) {
        vertx.fileSystem().readFile(file.toString()).onComplete(ar -> {
          if (ar.succeeded()) {
            req.response().putHeader("Content-Type", "application/xml").end(ar.result());
          } else {
            req.response().setStatusCode(500).end();
          }
        });
        return;
      }
    }
    req.response().setStatusCode(404).end("not found");
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
