package io.castbus.feeds;

import io.castbus.common.net.NetworkPolicy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Fetches feeds over HTTP: conditional GET (ETag, Last-Modified), gzip, redirects followed by hand so that the
 * network policy checks every hop, permanent redirects reported, connect, idle and total timeouts, and a size cap
 * enforced while the body streams in.
 */
final class FeedFetcher {

  /** Validators from the last successful fetch, sent back so an unchanged feed answers 304. */
  record Validators(String etag, String lastModified) {
    static final Validators NONE = new Validators(null, null);
  }

  /**
   * What a fetch got. {@code movedTo} is the URL a chain of only permanent redirects ended at (null otherwise);
   * {@code body} is null when the feed was not modified.
   */
  record Fetched(String finalUrl, String movedTo, boolean notModified, byte[] body, String charset, String etag,
      String lastModified) {
  }

  private final Vertx vertx;
  private final WebClient client;
  private final NetworkPolicy policy;
  private final FetchOptions options;

  FeedFetcher(Vertx vertx, NetworkPolicy policy, FetchOptions options) {
    this.vertx = vertx;
    this.policy = policy;
    this.options = options;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent(options.userAgent())
        .setFollowRedirects(false)
        .setDecompressionSupported(true)
        .setConnectTimeout((int) options.connectTimeout().toMillis()), new PoolOptions().setHttp1MaxSize(32));
  }

  Future<Fetched> fetch(String url, Validators validators) {
    var promise = Promise.<Fetched>promise();
    var sink = new CappedBody(options.maxBytes());
    var timer = vertx.setTimer(options.totalTimeout().toMillis(), t -> {
      var timeout = FeedException.transientFailure("timeout", "the feed server did not send the whole feed within "
          + options.totalTimeout().toSeconds() + " s");
      sink.abort(timeout);
      promise.tryFail(timeout);
    });
    hop(url, validators, 0, true, sink).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  void close() {
    client.close();
  }

  private Future<Fetched> hop(String url, Validators validators, int redirects, boolean permanent, CappedBody sink) {
    return policy.check(vertx, url).recover(e -> Future.failedFuture(e instanceof NetworkPolicy.Refused r
        ? FeedException.permanent(r.code(), r.getMessage()) : e)).compose(uri -> {
          sink.reset();
          var request = client.getAbs(uri.toString())
              .connectTimeout(options.connectTimeout().toMillis())
              .idleTimeout(options.idleTimeout().toMillis())
              .putHeader(HttpHeaders.ACCEPT.toString(),
                  "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
          if (validators.etag() != null) {
            request.putHeader(HttpHeaders.IF_NONE_MATCH.toString(), validators.etag());
          }
          if (validators.lastModified() != null) {
            request.putHeader(HttpHeaders.IF_MODIFIED_SINCE.toString(), validators.lastModified());
          }
          return request.as(BodyCodec.pipe(sink, false)).send()
              .recover(e -> Future.failedFuture(sink.failure != null ? sink.failure : describe(uri, e)))
              .compose(response -> answer(uri, response, validators, redirects, permanent, sink));
        });
  }

  private Future<Fetched> answer(URI uri, HttpResponse<Void> response, Validators validators, int redirects,
      boolean permanent, CappedBody sink) {
    var status = response.statusCode();
    var location = response.getHeader("Location");
    if (status >= 300 && status < 400 && status != 304 && location != null) {
      if (redirects >= options.maxRedirects()) {
        return Future.failedFuture(FeedException.permanent("too_many_redirects", "the feed redirects more than "
            + options.maxRedirects() + " times (last to " + location.trim() + ")"));
      }
      String next;
      try {
        next = uri.resolve(new URI(location.trim().replace(" ", "%20"))).toString();
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        return Future.failedFuture(FeedException.permanent("bad_redirect", "the feed server redirects to '"
            + location + "', which is not a URL"));
      }
      return hop(next, validators, redirects + 1, permanent && (status == 301 || status == 308), sink);
    }
    var movedTo = redirects > 0 && permanent ? uri.toString() : null;
    if (status == 304) {
      return Future.succeededFuture(new Fetched(uri.toString(), movedTo, true, null, null, validators.etag(),
          validators.lastModified()));
    }
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(new Fetched(uri.toString(), movedTo, false, sink.body.getBytes(),
          charset(response.getHeader("Content-Type")), response.getHeader("ETag"),
          response.getHeader("Last-Modified")));
    }
    var message = "the feed server answered HTTP " + status + (response.statusMessage() == null ? ""
        : " " + response.statusMessage()) + " for " + uri;
    var retryable = status == 408 || status == 429 || status >= 500;
    return Future.failedFuture(new FeedException("http_" + status, message, !retryable));
  }

  private static FeedException describe(URI uri, Throwable e) {
    if (e instanceof FeedException f) {
      return f;
    }
    var text = String.valueOf(e.getMessage());
    if (e instanceof TimeoutException || text.toLowerCase(Locale.ROOT).contains("timeout")
        || text.toLowerCase(Locale.ROOT).contains("timed out")) {
      return FeedException.transientFailure("timeout", "the feed server at " + uri.getHost()
          + " did not answer in time (" + text + ")");
    }
    return FeedException.transientFailure("unreachable", "the feed at " + uri + " could not be fetched: "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
  }

  private static String charset(String contentType) {
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

  /** Collects the body, failing the transfer (which resets the connection) once it passes the cap. */
  private static final class CappedBody implements WriteStream<Buffer> {
    private final long max;
    private Buffer body = Buffer.buffer();
    private FeedException failure;

    CappedBody(long max) {
      this.max = max;
    }

    void reset() {
      body = Buffer.buffer();
    }

    void abort(FeedException why) {
      failure = why;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (failure != null) {
        return Future.failedFuture(failure);
      }
      if (body.length() + (long) data.length() > max) {
        failure = FeedException.permanent("too_large", "the feed is larger than " + (max / (1024 * 1024))
            + " MB (" + max + " bytes); refusing the rest");
        return Future.failedFuture(failure);
      }
      body.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return failure != null ? Future.failedFuture(failure) : Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }

}
