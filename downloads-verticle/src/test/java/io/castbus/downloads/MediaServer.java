package io.castbus.downloads;

import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback serving episode files with the misbehaviours downloads must survive: dropped
 * connections, no Range support, lying lengths, stalls, redirects, error statuses with Retry-After, HTML pages.
 * Each path is given a {@link Media} describing what to send; every request is recorded.
 */
final class MediaServer implements AutoCloseable {

  private static final int CHUNK = 16 * 1024;

  /**
   * How one path answers. {@code dropAt}/{@code stallAt}: on the first {@code faultyRequests} requests, close the
   * connection / stop sending after that many bytes of the body; {@code lieBy}: announce that many bytes more than
   * sent; {@code delayMs}: pause between 16 KB chunks; {@code status}/{@code headers}: an answer with no body for the
   * first {@code faultyRequests} requests (or always, when {@code faultyRequests} is 0 and there is no content).
   */
  record Media(byte[] content, String type, boolean ranges, long dropAt, long stallAt, int faultyRequests,
      long lieBy, long delayMs, int status, Map<String, String> headers, boolean chunked, boolean validators) {

    static Media file(byte[] content) {
      return new Media(content, "audio/mpeg", true, -1, -1, 0, 0, 0, 0, Map.of(), false, true);
    }

    static Media status(int status, Map<String, String> headers) {
      return new Media(null, null, true, -1, -1, 0, 0, 0, status, headers, false, true);
    }

    Media noRanges() {
      return new Media(content, type, false, dropAt, stallAt, faultyRequests, lieBy, delayMs, status, headers,
          chunked, validators);
    }

    Media dropFirst(int requests, long at) {
      return new Media(content, type, ranges, at, stallAt, requests, lieBy, delayMs, status, headers, chunked,
          validators);
    }

    Media stallFirst(int requests, long at) {
      return new Media(content, type, ranges, dropAt, at, requests, lieBy, delayMs, status, headers, chunked,
          validators);
    }

    Media statusFirst(int requests, int code, Map<String, String> h) {
      return new Media(content, type, ranges, dropAt, stallAt, requests, lieBy, delayMs, code, h, chunked, validators);
    }

    Media lie(long extra) {
      return new Media(content, type, ranges, dropAt, stallAt, faultyRequests, extra, delayMs, status, headers,
          chunked, validators);
    }

    Media slow(long ms) {
      return new Media(content, type, ranges, dropAt, stallAt, faultyRequests, lieBy, ms, status, headers,
          chunked, validators);
    }

    Media type(String t) {
      return new Media(content, t, ranges, dropAt, stallAt, faultyRequests, lieBy, delayMs, status, headers,
          chunked, validators);
    }

    /** Neither ETag nor Last-Modified: a resume can only check the range against the length announced. */
    Media noValidators() {
      return new Media(content, type, ranges, dropAt, stallAt, faultyRequests, lieBy, delayMs, status, headers,
          chunked, false);
    }

    Media chunkedBody() {
      return new Media(content, type, ranges, dropAt, stallAt, faultyRequests, lieBy, delayMs, status, headers,
          true, validators);
    }
  }

  /** One request as the server saw it. */
  record Seen(String path, String host, String range, String ifRange, long atNanos) {
  }

  final Vertx vertx;
  private final HttpServer server;
  private final HttpServer second;
  private final Map<String, Media> media = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, AtomicInteger> inFlightByHost = new ConcurrentHashMap<>();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final Map<String, Integer> maxInFlightByHost = new ConcurrentHashMap<>();
  final AtomicInteger closedEarly = new AtomicInteger();

  MediaServer() {
    vertx = Vertx.vertx();
    server = Waits.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    second = Waits.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** The URL of {@code path} on the second port: another server, as the per-host limit counts. */
  String urlOnSecond(String path) {
    return "http://127.0.0.1:" + second.actualPort() + path;
  }

  MediaServer serve(String path, Media m) {
    media.put(path, m);
    return this;
  }

  List<Seen> requests(String path) {
    return seen.stream().filter(s -> s.path().equals(path)).toList();
  }

  static byte[] bytes(int size, int seed) {
    var b = new byte[size];
    var x = seed * 2654435761L + 1;
    for (var i = 0; i < size; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b[i] = (byte) (x >>> 56);
    }
    return b;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpServerRequest req) {
    var path = req.path();
    var host = req.authority() == null ? "" : req.authority().toString();
    seen.add(new Seen(path, host, req.getHeader("Range"), req.getHeader("If-Range"), System.nanoTime()));
    var m = media.get(path);
    var response = req.response();
    if (m == null) {
      response.setStatusCode(404).end("no such file");
      return;
    }
    var n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    var faulty = n <= m.faultyRequests();
    if (m.status() > 0 && (faulty || m.content() == null)) {
      m.headers().forEach(response::putHeader);
      response.setStatusCode(m.status()).end();
      return;
    }
    track(host, response);
    var content = m.content();
    var etag = "\"" + sha256(content).substring(0, 16) + "\"";
    response.putHeader("Content-Type", m.type());
    if (m.validators()) {
      response.putHeader("ETag", etag).putHeader("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT");
      if (etag.equals(req.getHeader("If-None-Match"))) {
        response.setStatusCode(304).end();
        return;
      }
    }
    var from = 0;
    var range = req.getHeader("Range");
    var ifRange = req.getHeader("If-Range");
    if (m.ranges() && range != null && range.startsWith("bytes=") && range.endsWith("-")
        && (ifRange == null || ifRange.equals(etag))) {
      from = Integer.parseInt(range.substring(6, range.length() - 1));
      response.setStatusCode(206).putHeader("Accept-Ranges", "bytes")
          .putHeader("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    } else if (m.ranges()) {
      response.putHeader("Accept-Ranges", "bytes");
    }
    if (m.chunked()) {
      response.setChunked(true);
    } else {
      response.putHeader("Content-Length", String.valueOf(content.length - from + m.lieBy()));
    }
    var end = faulty && m.dropAt() >= 0 ? Math.min(content.length, m.dropAt())
        : faulty && m.stallAt() >= 0 ? Math.min(content.length, m.stallAt()) : content.length;
    send(req, response, content, from, Math.max(from, end), faulty, m);
  }

  private void send(HttpServerRequest req, HttpServerResponse response, byte[] content, int pos, long end,
      boolean faulty, Media m) {
    if (response.closed()) {
      return;
    }
    if (pos >= end) {
      if (faulty && m.dropAt() >= 0) {
        response.reset();
      } else if (faulty && m.stallAt() >= 0) {
        return;
      } else if (m.lieBy() > 0) {
        response.reset();
      } else {
        response.end();
      }
      return;
    }
    var next = (int) Math.min(end, pos + CHUNK);
    var chunk = Buffer.buffer(java.util.Arrays.copyOfRange(content, pos, next));
    if (next >= end && !faulty && m.lieBy() == 0) {
      // The last bytes and the end together: the response is over, for the server's count, when the client has it.
      response.end(chunk);
      return;
    }
    response.write(chunk);
    if (m.delayMs() > 0) {
      vertx.setTimer(m.delayMs(), t -> send(req, response, content, next, end, faulty, m));
    } else if (response.writeQueueFull()) {
      response.drainHandler(v -> send(req, response, content, next, end, faulty, m));
    } else {
      vertx.runOnContext(v -> send(req, response, content, next, end, faulty, m));
    }
  }

  private void track(String host, HttpServerResponse response) {
    var now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    var perHost = inFlightByHost.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    maxInFlightByHost.merge(host, perHost, Math::max);
    var done = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable finished = () -> {
      if (done.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
        inFlightByHost.get(host).decrementAndGet();
      }
    };
    response.endHandler(v -> finished.run());
    response.closeHandler(v -> {
      if (!done.get()) {
        closedEarly.incrementAndGet();
      }
      finished.run();
    });
  }

  @Override
  public void close() {
    Waits.await(vertx.close());
  }
}
