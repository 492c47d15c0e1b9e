package io.castbus.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.testkit.Waits;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.backends.BackendRegistries;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A connection accepted in the gap between a server's bind and the creation of its metrics cannot be made to happen
 * on demand, so these tests make the calls Vert.x makes for one: the same SPI calls with no socket metric.
 */
class AcceptGapSafeMetricsTest {

  private static final SocketAddress LOCAL = SocketAddress.inetSocketAddress(8000, "127.0.0.1");
  private static final HttpRequest REQUEST = new Request();
  private static final HttpResponse RESPONSE = new Response();

  private final Vertx vertx = ClusterSetup.local(Settings.load(Map.of(), Settings.AuthMode.REQUIRED));

  @AfterEach
  void close() {
    Waits.await(vertx.close());
  }

  @Test
  @DisplayName("a request on a connection accepted before the server had metrics is served uncounted, not thrown on")
  void connectionWithoutSocketMetric() {
    var server = serverMetrics(vertx);

    var request = server.requestBegin(null, REQUEST);
    server.requestEnd(request, REQUEST, 0);
    server.responseBegin(request, RESPONSE);
    server.requestRouted(request, "/api/jobs");
    server.responseEnd(request, RESPONSE, 0);
    server.bytesRead(null, LOCAL, 100);
    server.bytesWritten(null, LOCAL, 100);
    server.disconnected(null, LOCAL);

    assertThat(request).isNull();
  }

  @Test
  @DisplayName("Micrometer's own HTTP server metrics still throw on such a connection: the guard is still needed")
  void micrometerAloneThrows() {
    var plain = Vertx.builder().with(ClusterSetup.options(Settings.load(Map.of(), Settings.AuthMode.REQUIRED)))
        .build();
    try {
      var server = serverMetrics(plain);
      assertThatThrownBy(() -> server.requestBegin(null, REQUEST)).isInstanceOf(NullPointerException.class);
    } finally {
      Waits.await(plain.close());
    }
  }

  @Test
  @DisplayName("requests on ordinary connections are still counted")
  void ordinaryRequestsCounted() throws Exception {
    var server = Waits.await(vertx.createHttpServer().requestHandler(req -> req.response().end("ok"))
        .listen(0, "127.0.0.1"));
    var before = requestsCounted();

    var answer = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.actualPort() + "/counted")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(answer.body()).isEqualTo("ok");
    Waits.until(java.time.Duration.ofSeconds(10), "the request counted", () -> requestsCounted() == before + 1);
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMetrics(Vertx vertx) {
    return (HttpServerMetrics<Object, Object, Object>) ((VertxInternal) vertx).metrics()
        .createHttpServerMetrics(new HttpServerOptions(), LOCAL);
  }

  private static double requestsCounted() {
    return ((PrometheusMeterRegistry) BackendRegistries.getDefaultNow()).scrape().lines()
        .filter(line -> line.startsWith("vertx_http_server_requests_total"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private record Request() implements HttpRequest {

    @Override
    public int id() {
      return 1;
    }

    @Override
    public String uri() {
      return "/api/jobs";
    }

    @Override
    public String absoluteURI() {
      return "http://127.0.0.1:8000/api/jobs";
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }

    @Override
    public SocketAddress remoteAddress() {
      return SocketAddress.inetSocketAddress(40000, "127.0.0.1");
    }
  }

  private record Response() implements HttpResponse {

    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }
  }
}
