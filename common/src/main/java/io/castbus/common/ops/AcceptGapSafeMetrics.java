package io.castbus.common.ops;

import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * Vert.x's Micrometer metrics, with the HTTP server's metrics made safe for a connection accepted before the server
 * had any. In Vert.x 5.0.8 a server creates its metrics once its socket is bound and already accepting
 * ({@code NetServerImpl.bind}), so a connection accepted in that gap — a client polling the port of a restarting
 * gateway — carries no socket metric. Micrometer's HTTP server metrics then throw on the connection's first request,
 * and the request is never answered. Here every call about such a connection, or about a request begun on it, is
 * skipped: its requests are served, only not counted.
 */
public final class AcceptGapSafeMetrics extends MicrometerMetricsFactory {

  /** The metrics, in {@code registry}. */
  public AcceptGapSafeMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
    super(registry);
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new Guarded(super.metrics(options));
  }

  private record Guarded(VertxMetrics metrics) implements VertxMetrics {

    @SuppressWarnings("unchecked")
    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
      var server = metrics.createHttpServerMetrics(options, localAddress);
      return server == null ? null : new HttpServer((HttpServerMetrics<Object, Object, Object>) server);
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return metrics.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return metrics.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return metrics.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
      return metrics.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return metrics.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return metrics.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return metrics.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(io.vertx.core.Vertx vertx) {
      metrics.vertxCreated(vertx);
    }

    @Override
    public void close() {
      metrics.close();
    }
  }

  /** Passes every call on, except those about a connection without a socket metric or a request without one. */
  record HttpServer(HttpServerMetrics<Object, Object, Object> metrics)
      implements HttpServerMetrics<Object, Object, Object> {

    @Override
    public Object requestBegin(Object socketMetric, HttpRequest request) {
      return socketMetric == null ? null : metrics.requestBegin(socketMetric, request);
    }

    @Override
    public void requestEnd(Object requestMetric, HttpRequest request, long bytesRead) {
      if (requestMetric != null) {
        metrics.requestEnd(requestMetric, request, bytesRead);
      }
    }

    @Override
    public void requestReset(Object requestMetric) {
      if (requestMetric != null) {
        metrics.requestReset(requestMetric);
      }
    }

    @Override
    public void responseBegin(Object requestMetric, HttpResponse response) {
      if (requestMetric != null) {
        metrics.responseBegin(requestMetric, response);
      }
    }

    @Override
    public Object responsePushed(Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
      return socketMetric == null ? null : metrics.responsePushed(socketMetric, method, uri, response);
    }

    @Override
    public void responseEnd(Object requestMetric, HttpResponse response, long bytesWritten) {
      if (requestMetric != null) {
        metrics.responseEnd(requestMetric, response, bytesWritten);
      }
    }

    @Override
    public Object connected(Object socketMetric, Object requestMetric, ServerWebSocket webSocket) {
      return socketMetric == null || requestMetric == null ? null
          : metrics.connected(socketMetric, requestMetric, webSocket);
    }

    @Override
    public void disconnected(Object webSocketMetric) {
      if (webSocketMetric != null) {
        metrics.disconnected(webSocketMetric);
      }
    }

    @Override
    public void requestRouted(Object requestMetric, String route) {
      if (requestMetric != null) {
        metrics.requestRouted(requestMetric, route);
      }
    }

    @Override
    public Object connected(SocketAddress remoteAddress, String remoteName) {
      return metrics.connected(remoteAddress, remoteName);
    }

    @Override
    public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
      if (socketMetric != null) {
        metrics.disconnected(socketMetric, remoteAddress);
      }
    }

    @Override
    public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
      if (socketMetric != null) {
        metrics.bytesRead(socketMetric, remoteAddress, numberOfBytes);
      }
    }

    @Override
    public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
      if (socketMetric != null) {
        metrics.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
      }
    }

    @Override
    public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
      if (socketMetric != null) {
        metrics.exceptionOccurred(socketMetric, remoteAddress, t);
      }
    }

    @Override
    public void close() {
      metrics.close();
    }
  }
}
