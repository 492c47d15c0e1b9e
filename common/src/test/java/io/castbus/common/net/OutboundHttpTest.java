package io.castbus.common.net;

import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The outbound HTTP path: redirects, credentials, caps, time limits and what an answer means")
class OutboundHttpTest {

  private static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the resource", "the body", "the server",
      "HTTP %d", "connection", "timeout", "stalled", "too_large", false);
  private static final Duration TOTAL = Duration.ofSeconds(10);

  private static Vertx vertx;
  private static HttpServer server;
  private static final Map<String, Consumer<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  private static final List<String> seen = new CopyOnWriteArrayList<>();
  private static OutboundHttp http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.method() + " " + req.getHeader("Host") + req.path() + " auth=" + req.getHeader("Authorization"));
      var route = routes.get(req.path());
      if (route == null) {
        req.response().setStatusCode(404).end();
      } else {
        route.accept(req);
      }
    }).listen(0, "127.0.0.1"));
    http = new OutboundHttp(vertx, new NetworkPolicy(true), new OutboundHttp.Options(Duration.ofSeconds(2),
        Duration.ofMillis(600), 5, "Castbus-test", true, 4), WORDS);
  }

  @AfterAll
  static void stop() {
    await(http.close());
    await(vertx.close());
  }

  private static String url(String host, String path) {
    return "http://" + host + ":" + server.actualPort() + path;
  }

  private static RunFailure failure(Future<?> call) {
    var cause = await(call.transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(cause).isInstanceOf(RunFailure.class);
    return (RunFailure) cause;
  }

  private static Future<OutboundHttp.Exchange> get(String url) {
    return http.open(OutboundHttp.Request.get(url, 1024, TOTAL));
  }

  @Test
  @DisplayName("credentials go to the host they were given for, on every hop there, and never to another host a "
      + "redirect leads to")
  void credentialsStayWithTheirHost() {
    routes.put("/private/start", req -> req.response().setStatusCode(302).putHeader("Location", "/private/next").end());
    routes.put("/private/next", req -> req.response().setStatusCode(302)
        .putHeader("Location", url("localhost", "/private/elsewhere")).end());
    routes.put("/private/elsewhere", req -> req.response().end("ok"));
    seen.clear();

    var exchange = await(http.open(OutboundHttp.Request.get(url("127.0.0.1", "/private/start"), 1024, TOTAL)
        .credentials("Bearer secret-token")));
    assertThat(await(exchange.body()).toString()).isEqualTo("ok");

    assertThat(seen).containsExactly(
        "GET 127.0.0.1:" + server.actualPort() + "/private/start auth=Bearer secret-token",
        "GET 127.0.0.1:" + server.actualPort() + "/private/next auth=Bearer secret-token",
        "GET localhost:" + server.actualPort() + "/private/elsewhere auth=null");
    assertThat(exchange.hops()).hasSize(3);
  }

  @Test
  @DisplayName("a chain that comes back to a URL it left is a loop; a URL redirecting to itself counts towards the "
      + "limit; a permanent chain says where the resource moved")
  void redirects() {
    routes.put("/loop/a", req -> req.response().setStatusCode(302).putHeader("Location", "/loop/b").end());
    routes.put("/loop/b", req -> req.response().setStatusCode(302).putHeader("Location", "/loop/a").end());
    routes.put("/self", req -> req.response().setStatusCode(302).putHeader("Location", "/self").end());
    routes.put("/moved", req -> req.response().setStatusCode(301).putHeader("Location", "/here").end());
    routes.put("/here", req -> req.response().end("here"));

    var loop = failure(get(url("127.0.0.1", "/loop/a")));
    assertThat(loop.code()).isEqualTo("redirect_loop");
    assertThat(loop.permanent()).isTrue();
    var self = failure(get(url("127.0.0.1", "/self")));
    assertThat(self.code()).isEqualTo("too_many_redirects");
    assertThat(self.getMessage()).contains("more than 5 redirects");

    var moved = await(get(url("127.0.0.1", "/moved")));
    assertThat(moved.movedTo()).isEqualTo(url("127.0.0.1", "/here"));
    assertThat(await(moved.body()).toString()).isEqualTo("here");
  }

  @Test
  @DisplayName("statuses map to failures in one place: 404 is permanent, 503 transient with its Retry-After, "
      + "429 transient")
  void statuses() {
    routes.put("/busy", req -> req.response().setStatusCode(503).putHeader("Retry-After", "7").end());
    routes.put("/slow-down", req -> req.response().setStatusCode(429).end());

    var missing = await(get(url("127.0.0.1", "/nothing-here")));
    var gone = missing.statusFailure();
    missing.discard();
    assertThat(gone.code()).isEqualTo("http_404");
    assertThat(gone.permanent()).isTrue();
    assertThat(gone.getMessage()).startsWith("the server answered HTTP 404");

    var busy = await(get(url("127.0.0.1", "/busy")));
    var later = busy.statusFailure();
    busy.discard();
    assertThat(later.permanent()).isFalse();
    assertThat(later.retryAfterHint()).isEqualTo(Duration.ofSeconds(7));
    var throttled = await(get(url("127.0.0.1", "/slow-down")));
    assertThat(throttled.statusFailure().permanent()).isFalse();
    throttled.discard();
  }

  @Test
  @DisplayName("a body over the cap is cut off, declared or streamed; a silent server ends the exchange; the charset "
      + "is read from Content-Type")
  void capsAndTime() {
    routes.put("/declared", req -> req.response().putHeader("Content-Length", "5000").write(Buffer.buffer(
        new byte[100])));
    routes.put("/streamed", req -> {
      req.response().setChunked(true);
      for (var i = 0; i < 10; i++) {
        req.response().write(Buffer.buffer(new byte[500]));
      }
      req.response().end();
    });
    routes.put("/silent", req -> req.response().setChunked(true).write("<rss>"));
    routes.put("/latin", req -> req.response().putHeader("Content-Type", "text/xml; charset=\"ISO-8859-1\"")
        .end("<rss/>"));

    assertThat(failure(get(url("127.0.0.1", "/declared"))).code()).isEqualTo("too_large");
    var streamed = failure(get(url("127.0.0.1", "/streamed")).compose(OutboundHttp.Exchange::body));
    assertThat(streamed.code()).isEqualTo("too_large");
    assertThat(streamed.getMessage()).contains("(1024 bytes)");
    var silent = failure(get(url("127.0.0.1", "/silent")).compose(OutboundHttp.Exchange::body));
    assertThat(silent.code()).isEqualTo("stalled");
    assertThat(silent.getMessage()).startsWith("no data from the server for 0 s");

    var latin = await(get(url("127.0.0.1", "/latin")));
    assertThat(latin.charset()).isEqualTo("ISO-8859-1");
    assertThat(await(latin.body()).toString()).isEqualTo("<rss/>");
  }

  @Test
  @DisplayName("a POST sends its body and takes its answer as final: a redirect is not followed")
  void post() {
    routes.put("/hook", req -> req.body().onSuccess(body -> req.response().setStatusCode(302)
        .putHeader("Location", "/elsewhere").end(body)));

    var answer = await(http.open(OutboundHttp.Request.post(url("127.0.0.1", "/hook"), Buffer.buffer("{\"a\":1}"),
        "application/json", 1024, TOTAL)));
    assertThat(answer.status()).isEqualTo(302);
    assertThat(await(answer.body()).toString()).isEqualTo("{\"a\":1}");
    assertThat(answer.statusFailure().permanent()).isFalse();
  }

  @Test
  @DisplayName("a URL the network policy refuses is never requested, and the refusal names the URL")
  void policy() {
    var strict = new OutboundHttp(vertx, new NetworkPolicy(false), new OutboundHttp.Options(Duration.ofSeconds(2),
        Duration.ofSeconds(2), 5, "Castbus-test", true, 1), WORDS);
    seen.clear();
    var refused = failure(strict.open(OutboundHttp.Request.get(url("127.0.0.1", "/private/elsewhere"), 1024,
        TOTAL)));
    assertThat(refused.code()).isEqualTo("private_network");
    assertThat(refused.getMessage()).startsWith("the resource http://127.0.0.1:").contains("may not be fetched");
    assertThat(seen).isEmpty();
    await(strict.close());
  }

  @Test
  @DisplayName("quiet words keep a URL's path (a webhook's secret token) out of every message")
  void quietMessages() {
    var quiet = new OutboundHttp(vertx, new NetworkPolicy(true), new OutboundHttp.Options(Duration.ofSeconds(2),
        Duration.ofMillis(600), 0, "Castbus-test", true, 1), new OutboundHttp.Words("the webhook", "the answer",
        "the webhook", "HTTP %d", "unreachable", "timeout", "timeout", "too_large", true));
    routes.put("/hooks/s3cr3t-token", req -> req.response().setStatusCode(500).end());
    routes.put("/hooks/silent-s3cr3t", req -> { });

    var failed = await(quiet.open(OutboundHttp.Request.post(url("127.0.0.1", "/hooks/s3cr3t-token"),
        Buffer.buffer("{}"), "application/json", 1024, TOTAL)));
    var answered = failed.statusFailure();
    failed.discard();
    assertThat(answered.getMessage()).startsWith("the webhook answered HTTP 500").doesNotContain("s3cr3t");
    var silent = failure(quiet.open(OutboundHttp.Request.post(url("127.0.0.1", "/hooks/silent-s3cr3t"),
        Buffer.buffer("{}"), "application/json", 1024, TOTAL)));
    assertThat(silent.code()).isEqualTo("timeout");
    assertThat(silent.getMessage()).contains("600ms").doesNotContain("s3cr3t");
    await(quiet.close());
  }

  @Test
  @DisplayName("Retry-After is read as seconds or as an HTTP date, bounded to a day")
  void retryAfter() {
    var now = java.time.Instant.parse("2026-11-24T10:00:00Z");
    assertThat(OutboundHttp.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
    assertThat(OutboundHttp.retryAfter("Tue, 24 Nov 2026 10:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(OutboundHttp.retryAfter("9999999", now)).isEqualTo(Duration.ofDays(1));
    assertThat(OutboundHttp.retryAfter("soon", now)).isNull();
  }
}
