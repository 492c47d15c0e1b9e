package io.castbus.common.net;

import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.streams.Pipe;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Every call Castbus makes to a server on the internet goes through here. For each hop of a redirect chain the
 * {@link NetworkPolicy} checks the URL and the connection goes to the very address it checked (so a name that
 * answers differently later cannot reach an address the policy refused); redirects are followed by hand up to a
 * limit, a chain that comes back to a URL it left is refused (a URL that redirects straight to itself, as gateways
 * setting a cookie do, only counts towards the limit); the connection, each silence and the whole exchange are
 * bounded in time; a declared or streamed body over the cap is cut off; credentials go only to the host they were
 * given for. A server's answer maps to a {@link RunFailure} in one place ({@link Exchange#statusFailure()}):
 * permanent for 401, 403, 404, 410 and other 4xx but 408, 425 and 429; transient for those and 5xx, with
 * {@code Retry-After} honoured.
 *
 * <p>It uses the core HTTP client rather than the web client: passing a cap or a deadline must reset the connection
 * at once, and only the core request offers that.
 */
public final class OutboundHttp {

  /**
   * How one kind of call names its failures, in the words its users already see: {@code subject} names the URL
   * ("the feed", "the enclosure URL"), {@code body} what it returns ("the feed", "the file"), {@code server} who
   * answers ("the feed server"), {@code status} how an answer's status reads ({@code "HTTP %d"}); the codes name a
   * connection that could not be made or broke, a server that did not answer in time, a body that stopped arriving,
   * and a body over the cap. {@code quiet} keeps a URL's path and query out of every message (a webhook's path often
   * holds its secret token): servers are named by scheme, host and port.
   */
  public record Words(String subject, String body, String server, String status, String broken, String noAnswer,
      String silent, String tooLarge, boolean quiet) {

    /** How a URL appears in a message. */
    String shown(URI uri) {
      return quiet ? uri.getScheme() + "://" + uri.getRawAuthority() : uri.toString();
    }

    String shown(String url) {
      try {
        return shown(URI.create(url));
      } catch (IllegalArgumentException e) {
        return quiet ? "(a malformed URL)" : url;
      }
    }

    /** A message from the HTTP stack, with the URL's path taken out when quiet. */
    String scrub(String text, URI uri) {
      var path = uri.getRawPath();
      return quiet && path != null && path.length() > 1 ? text.replace(path, "/…") : text;
    }
  }

  /**
   * @param connectTimeout time to open a connection
   * @param idleTimeout    longest silence from the server, before or during the body
   * @param maxRedirects   redirects followed before giving up
   * @param decompress     whether gzip and deflate bodies are accepted and inflated
   * @param poolSize       connections kept per server
   */
  public record Options(Duration connectTimeout, Duration idleTimeout, int maxRedirects, String userAgent,
      boolean decompress, int poolSize) {
  }

  /**
   * One call: {@code headers} are sent on every hop; {@code credentials} (an {@code Authorization} value) only to
   * hops at {@code credentialsHost}, an origin ({@code scheme://host:port}); {@code maxBytes} caps the body; {@code totalTimeout} bounds the whole exchange, redirects
   * and body included; {@code stop}, when it completes, ends the exchange with its reason.
   */
  public record Request(HttpMethod method, String url, Map<String, String> headers, Buffer body, String credentials,
      String credentialsHost, long maxBytes, Duration totalTimeout, Future<String> stop) {

    public static Request get(String url, long maxBytes, Duration totalTimeout) {
      return new Request(HttpMethod.GET, url, Map.of(), null, null, null, maxBytes, totalTimeout, null);
    }

    /** A POST of {@code body}; its answer is final, redirects are not followed. */
    public static Request post(String url, Buffer body, String contentType, long maxBytes, Duration totalTimeout) {
      return new Request(HttpMethod.POST, url, Map.of("Content-Type", contentType), body, null, null, maxBytes,
          totalTimeout, null);
    }

    public Request headers(Map<String, String> more) {
      var all = new java.util.LinkedHashMap<>(headers);
      all.putAll(more);
      return new Request(method, url, Map.copyOf(all), body, credentials, credentialsHost, maxBytes, totalTimeout,
          stop);
    }

    /**
     * Sends {@code authorization} to the URL's own origin (scheme, host and port) only, never to another one a
     * redirect leads to.
     */
    public Request credentials(String authorization) {
      return credentials(authorization, origin(URI.create(url)));
    }

    /** Sends {@code authorization} to every hop at {@code origin} ({@code scheme://host:port}), and to no other. */
    public Request credentials(String authorization, String origin) {
      return new Request(method, url, headers, body, authorization, origin, maxBytes, totalTimeout, stop);
    }

    /** A conditional GET: an unchanged resource answers 304 Not Modified. */
    public Request ifChanged(String etag, String lastModified) {
      var conditions = new java.util.LinkedHashMap<String, String>();
      if (etag != null) {
        conditions.put("If-None-Match", etag);
      }
      if (lastModified != null) {
        conditions.put("If-Modified-Since", lastModified);
      }
      return headers(conditions);
    }

    public Request stopWhen(Future<String> stop) {
      return new Request(method, url, headers, body, credentials, credentialsHost, maxBytes, totalTimeout, stop);
    }
  }

  /** The exchange was stopped from outside (a cancel, a shutdown, a lost lease); the reason is the message. */
  public static final class Stopped extends RuntimeException {
    public Stopped(String reason) {
      super(reason, null, false, false);
    }
  }

  private final Vertx vertx;
  private final NetworkPolicy policy;
  private final Options options;
  private final Words words;
  private final HttpClientAgent client;

  public OutboundHttp(Vertx vertx, NetworkPolicy policy, Options options, Words words) {
    this.vertx = vertx;
    this.policy = policy;
    this.options = options;
    this.words = words;
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setDecompressionSupported(options.decompress())
            .setConnectTimeout((int) options.connectTimeout().toMillis()))
        .with(new PoolOptions().setHttp1MaxSize(options.poolSize()))
        .build();
  }

  /**
   * Follows the request to its first answer that is not a redirect, and hands it over with its body not yet read.
   * Fails with a {@link RunFailure} naming the cause (refused, unreachable, no answer, a bad or looping redirect),
   * or with {@link Stopped}.
   */
  public Future<Exchange> open(Request request) {
    var exchange = new Exchange(request);
    exchange.begin();
    hop(exchange, request.url(), 0, true);
    return exchange.opened.future();
  }

  public Future<Void> close() {
    return client.close();
  }

  private void hop(Exchange exchange, String url, int redirects, boolean permanent) {
    if (exchange.ended()) {
      return;
    }
    exchange.hops.add(url);
    policy.check(vertx, url).onComplete(checked -> {
      if (checked.failed()) {
        exchange.fail(refused(url, checked.cause()));
        return;
      }
      var target = checked.result();
      var options = target.request().setMethod(exchange.request.method()).setFollowRedirects(false)
          .setConnectTimeout(this.options.connectTimeout().toMillis())
          .setIdleTimeout(this.options.idleTimeout().toMillis())
          .putHeader(HttpHeaders.USER_AGENT, this.options.userAgent());
      if (!this.options.decompress()) {
        options.putHeader(HttpHeaders.ACCEPT_ENCODING, "identity");
      }
      exchange.request.headers().forEach(options::putHeader);
      if (exchange.request.credentials() != null
          && origin(target.uri()).equals(exchange.request.credentialsHost())) {
        options.putHeader(HttpHeaders.AUTHORIZATION, exchange.request.credentials());
      }
      exchange.touch();
      client.request(options)
          .compose(req -> {
            exchange.current = req;
            if (exchange.abort != null) {
              req.reset(0, exchange.abort);
              return Future.failedFuture(exchange.abort);
            }
            return exchange.request.body() == null ? req.send() : req.send(exchange.request.body());
          })
          .onSuccess(response -> answered(exchange, target.uri(), response, redirects, permanent))
          .onFailure(e -> exchange.fail(exchange.abort != null ? exchange.abort : transport(target.uri(), e, false)));
    });
  }

  private void answered(Exchange exchange, URI uri, HttpClientResponse response, int redirects, boolean permanent) {
    // The pipe pauses the body, and holds its end or failure, until the caller reads it.
    var pipe = response.pipe().endOnSuccess(false).endOnFailure(false);
    exchange.touch();
    var status = response.statusCode();
    var location = response.getHeader(HttpHeaders.LOCATION);
    if (status >= 300 && status < 400 && status != 304 && location != null
        && exchange.request.method() == HttpMethod.GET) {
      pipe.close();
      response.request().reset();
      if (redirects >= options.maxRedirects()) {
        exchange.fail(RunFailure.permanent("too_many_redirects", "more than " + options.maxRedirects()
            + " redirects from " + exchange.hops.get(0) + " (last to " + location.trim() + ")"));
        return;
      }
      String next;
      try {
        next = uri.resolve(new URI(location.trim().replace(" ", "%20"))).toString();
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        exchange.fail(RunFailure.permanent("bad_redirect", words.server() + " at " + uri + " redirects to '"
            + location + "', which is not a URL"));
        return;
      }
      var previous = exchange.hops.get(exchange.hops.size() - 1);
      if (!next.equals(previous) && exchange.hops.contains(next)) {
        exchange.fail(RunFailure.permanent("redirect_loop", "redirect loop: " + String.join(" → ", exchange.hops)
            + " → " + next));
        return;
      }
      hop(exchange, next, redirects + 1, permanent && (status == 301 || status == 308));
      return;
    }
    exchange.answer(uri, response, pipe, redirects > 0 && permanent ? uri.toString() : null);
  }

  private RunFailure refused(String url, Throwable e) {
    var message = words.subject() + " " + words.shown(url) + " may not be fetched: " + e.getMessage();
    if (!(e instanceof NetworkPolicy.Refused r)) {
      return RunFailure.permanent("refused_url", message);
    }
    return r.retryable() ? RunFailure.transientFailure(r.code(), message) : RunFailure.permanent(r.code(), message);
  }

  /** A connection that could not be made, did not answer in time, or broke after {@code bytes}. */
  private RunFailure transport(URI uri, Throwable e, boolean inBody) {
    if (e instanceof RunFailure f) {
      return f;
    }
    var text = words.scrub(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), uri);
    if (isTimeout(e)) {
      return inBody ? silent(options.idleTimeout(), e)
          : RunFailure.transientFailure(words.noAnswer(), words.server() + " at " + uri.getHost()
              + " did not answer in time (" + text + ")", e);
    }
    return RunFailure.transientFailure(words.broken(), (inBody ? "the transfer from " : words.subject() + " at ")
        + words.shown(uri) + (inBody ? " broke: " : " could not be fetched: ") + text, e);
  }

  /**
   * Whether the HTTP stack gave up waiting: its timeout exceptions, or a connect or idle timeout it reports only in
   * words (Netty's connect timeout, Vert.x's request idle timeout).
   */
  private static boolean isTimeout(Throwable e) {
    var lower = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return e instanceof TimeoutException || e instanceof io.netty.handler.timeout.TimeoutException
        || lower.contains("timeout") || lower.contains("timed out");
  }

  /** A body that stopped arriving for {@code idle}. */
  private RunFailure silent(Duration idle, Throwable cause) {
    return RunFailure.transientFailure(words.silent(), "no data from " + words.server() + " for " + idle.toSeconds()
        + " s: it did not send anything within the idle timeout (" + human(options.idleTimeout()) + ")", cause);
  }

  /**
   * One call from its first hop to its end: the answer (status, headers) and its body, which the caller reads once —
   * whole ({@link #body()}) or streamed ({@link #stream()}) — or discards. Its deadline, idle watch and stop cover
   * every hop and the body; when the caller is done it calls {@link #finish()} so they stop.
   */
  public final class Exchange {
    private final Request request;
    private final Promise<Exchange> opened = Promise.promise();
    private final List<String> hops = new ArrayList<>();
    private HttpClientRequest current;
    private HttpClientResponse response;
    private Pipe<Buffer> pipe;
    private RuntimeException abort;
    private long lastActivity = System.nanoTime();
    private long watchdog = -1;
    private long deadline = -1;
    private long received;
    private long limit;
    private URI uri;
    private String movedTo;
    private Promise<Void> reading;

    private Exchange(Request request) {
      this.request = request;
      this.limit = request.maxBytes();
    }

    private void begin() {
      // The request's own idle timeout ends a silent connection; this watch, a tick later, covers the rest (a name
      // that takes long to resolve, a body its reader holds paused while the server sends nothing).
      var tick = Math.max(50, Math.min(1000, options.idleTimeout().toMillis() / 4));
      var limit = options.idleTimeout().plusMillis(tick);
      watchdog = vertx.setPeriodic(tick, t -> {
        var idle = Duration.ofNanos(System.nanoTime() - lastActivity);
        if (idle.compareTo(limit) >= 0) {
          abort(response == null
              ? RunFailure.transientFailure(words.noAnswer(), words.server() + " at " + host()
                  + " did not answer within " + human(options.idleTimeout()))
              : silent(options.idleTimeout(), null));
        }
      });
      deadline = vertx.setTimer(request.totalTimeout().toMillis(), t -> abort(RunFailure.transientFailure(
          "timeout", words.server() + " did not finish within " + human(request.totalTimeout()))));
      if (request.stop() != null) {
        request.stop().onSuccess(reason -> abort(new Stopped(reason)));
      }
    }

    private String host() {
      var url = hops.isEmpty() ? request.url() : hops.get(hops.size() - 1);
      try {
        return URI.create(url).getHost();
      } catch (IllegalArgumentException e) {
        return url;
      }
    }

    private void touch() {
      lastActivity = System.nanoTime();
    }

    private boolean ended() {
      return abort != null || opened.future().failed();
    }

    private void answer(URI uri, HttpClientResponse response, Pipe<Buffer> pipe, String movedTo) {
      this.uri = uri;
      this.response = response;
      this.pipe = pipe;
      this.movedTo = movedTo;
      var length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (response.statusCode() / 100 == 2 && length != null && length.trim().matches("\\d{1,18}")
          && Long.parseLong(length.trim()) > request.maxBytes()) {
        discard();
        fail(tooLarge());
        return;
      }
      opened.tryComplete(this);
    }

    private void fail(Throwable why) {
      if (!opened.tryFail(why)) {
        if (reading != null) {
          reading.tryFail(why);
        }
      }
      finish();
    }

    /** Ends the exchange now: the connection is reset and the caller's read fails with {@code why}. */
    public void abort(RuntimeException why) {
      if (abort != null) {
        return;
      }
      abort = why;
      if (current != null) {
        current.reset(0, why);
      }
      // A reset whose failure the client does not report (the request already answered) still ends the call.
      vertx.setTimer(200, t -> fail(why));
    }

    /** Stops the deadline and the idle watch; the caller calls it once it is done with the exchange. */
    public void finish() {
      vertx.cancelTimer(watchdog);
      vertx.cancelTimer(deadline);
    }

    /** The URL that answered. */
    public String url() {
      return uri.toString();
    }

    /** The URL a chain of only permanent redirects ended at, or null. */
    public String movedTo() {
      return movedTo;
    }

    /** Every URL the call went through, the first given, the last answering. */
    public List<String> hops() {
      return List.copyOf(hops);
    }

    public int status() {
      return response.statusCode();
    }

    public String header(CharSequence name) {
      return response.getHeader(name);
    }

    public MultiMap headers() {
      return response.headers();
    }

    public String etag() {
      return response.getHeader(HttpHeaders.ETAG);
    }

    /** The ETag when it is strong: only a strong one may ask for a byte range. */
    public String strongEtag() {
      var etag = etag();
      return etag == null || etag.startsWith("W/") ? null : etag;
    }

    public String lastModified() {
      return response.getHeader(HttpHeaders.LAST_MODIFIED);
    }

    public String contentType() {
      return response.getHeader(HttpHeaders.CONTENT_TYPE);
    }

    /** The charset the {@code Content-Type} names, or null. */
    public String charset() {
      return charsetOf(contentType());
    }

    /** The declared body length; null when none; a transient failure when it is not a number. */
    public Long contentLength() {
      var length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length == null) {
        return null;
      }
      try {
        return Long.valueOf(length.trim());
      } catch (NumberFormatException e) {
        throw RunFailure.transientFailure("bad_length", "the server sent an invalid Content-Length '" + length
            + "'");
      }
    }

    /** The failure this answer's status means (call it for a status the caller does not accept). */
    public RunFailure statusFailure() {
      var status = status();
      var message = words.server() + " answered " + String.format(Locale.ROOT, words.status(), status)
          + (response.statusMessage() == null ? ""
          : " " + response.statusMessage()) + " for " + words.shown(uri);
      var code = "http_" + status;
      if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 400) {
        var failure = RunFailure.transientFailure(code, message);
        var wait = retryAfter(response.getHeader(HttpHeaders.RETRY_AFTER), Instant.now());
        return wait == null ? failure : failure.retryAfter(wait);
      }
      return RunFailure.permanent(code, message);
    }

    /** The whole body, up to the request's cap; the exchange is finished when it completes. */
    public Future<Buffer> body() {
      var body = new BodyBuffer(this);
      reading = Promise.promise();
      pipe.to(body).onComplete(ar -> {
        if (ar.succeeded()) {
          reading.tryComplete();
        } else {
          reading.tryFail(abort != null ? abort : transport(uri, ar.cause(), true));
        }
      });
      return reading.future().map(v -> body.buffer()).onComplete(ar -> finish());
    }

    /**
     * The body, paused, for the caller to pipe to its sink with back-pressure; the caller counts what arrives with
     * {@link #received}, names a failure with {@link #broken} and calls {@link #finish()} at the end.
     */
    public Pipe<Buffer> pipe() {
      return pipe;
    }

    /** Caps the body at {@code bytes} from here on (a resumed download may take only what the file still lacks). */
    public void limit(long bytes) {
      limit = bytes;
    }

    /**
     * Counts {@code bytes} more of the body as received: activity for the idle watch, and against the cap. Returns
     * false (and ends the exchange) once the body passes the cap.
     */
    public boolean received(long bytes) {
      touch();
      received += bytes;
      if (received > limit) {
        abort(tooLarge());
        return false;
      }
      return true;
    }

    /** Why the exchange was ended from outside or by a limit, or null. */
    public RuntimeException aborted() {
      return abort;
    }

    /** A failure of the streamed body, named: the limit that ended it, or the broken connection. */
    public RuntimeException broken(Throwable e, long bytes, Long total) {
      if (abort != null) {
        return abort;
      }
      if (e instanceof RuntimeException r && (e instanceof RunFailure || e instanceof Stopped)) {
        return r;
      }
      if (isTimeout(e)) {
        return silent(options.idleTimeout(), e);
      }
      var what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      var where = bytes > 0 ? " after " + bytes + (total == null ? "" : " of " + total) + " bytes" : "";
      return RunFailure.transientFailure(words.broken(), "the transfer from " + uri + " broke" + where + ": " + what,
          e);
    }

    /** Drops the body unread and the connection with it. */
    public void discard() {
      pipe.close();
      response.request().reset();
      finish();
    }

    private RunFailure tooLarge() {
      return RunFailure.permanent(words.tooLarge(), words.body() + " is larger than "
          + (limit / (1024 * 1024)) + " MB (" + limit + " bytes); refusing the rest");
    }
  }

  /** A whole body gathered in memory; one chunk over the exchange's cap ends the exchange. */
  private static final class BodyBuffer implements io.vertx.core.streams.WriteStream<Buffer> {
    private final Exchange exchange;
    private final Buffer buffer = Buffer.buffer();

    BodyBuffer(Exchange exchange) {
      this.exchange = exchange;
    }

    Buffer buffer() {
      return buffer;
    }

    @Override
    public io.vertx.core.streams.WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (exchange.received(data.length())) {
        buffer.appendBuffer(data);
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public io.vertx.core.streams.WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public io.vertx.core.streams.WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
      return this;
    }
  }

  /** A {@code Retry-After} of seconds or an HTTP date, as a wait from {@code now}; null when absent or invalid. */
  /** {@code scheme://host:port} of a URL, lowercase, with the scheme's default port written out. */
  public static String origin(URI uri) {
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    var port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + (uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT)) + ":" + port;
  }

  public static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    var value = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Math.min(Long.parseLong(value), 86_400)));
    } catch (NumberFormatException e) {
      try {
        var at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        var wait = Duration.between(now, at);
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait;
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  /** The {@code charset} parameter of a {@code Content-Type}, or null. */
  public static String charsetOf(String contentType) {
    if (contentType == null) {
      return null;
    }
    for (var part : contentType.split(";")) {
      var p = part.trim();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        return p.substring(8).replace("\"", "").trim();
      }
    }
    return null;
  }

  private static String human(Duration d) {
    return d.toMinutes() >= 1 ? d.toMinutes() + " min" : d.toSeconds() >= 10 ? d.toSeconds() + " s"
        : d.toMillis() + " ms";
  }
}
