package io.castbus.feeds;

import io.castbus.common.net.NetworkPolicy;
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
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Fetches feeds over HTTP: conditional GET (ETag, Last-Modified), gzip, redirects followed by hand so that the
 * network policy checks every hop and each connection goes to the address it checked, permanent redirects reported, connect, idle and total timeouts, and a size cap
 * enforced while the body streams in. It uses the core HTTP client rather than the web client because passing the
 * cap or the total timeout must reset the connection at once, and only the core request offers that.
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
  private final HttpClientAgent client;
  private final NetworkPolicy policy;
  private final FetchOptions options;

  FeedFetcher(Vertx vertx, NetworkPolicy policy, FetchOptions options) {
    this.vertx = vertx;
    this.policy = policy;
    this.options = options;
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setDecompressionSupported(true)
            .setConnectTimeout((int) options.connectTimeout().toMillis()))
        .with(new PoolOptions().setHttp1MaxSize(32))
        .build();
  }

  Future<Fetched> fetch(String url, Validators validators) {
    var transfer = new Transfer(options.maxBytes());
    var timer = vertx.setTimer(options.totalTimeout().toMillis(), t -> transfer.fail(
        FeedException.transientFailure("timeout", "the feed server did not send the whole feed within "
            + options.totalTimeout().toSeconds() + " s")));
    hop(url, validators, 0, true, transfer).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        transfer.result.tryComplete(ar.result());
      } else {
        transfer.fail(ar.cause());
      }
    });
    return transfer.result.future();
  }

  Future<Void> close() {
    return client.close();
  }

  private Future<Fetched> hop(String url, Validators validators, int redirects, boolean permanent, Transfer transfer) {
    return policy.check(vertx, url).recover(e -> Future.failedFuture(!(e instanceof NetworkPolicy.Refused r) ? e
        : r.retryable() ? FeedException.transientFailure(r.code(), r.getMessage())
        : FeedException.permanent(r.code(), r.getMessage()))).compose(target -> {
          var uri = target.uri();
          var request = target.request()
              .setMethod(HttpMethod.GET)
              .setFollowRedirects(false)
              .setConnectTimeout(options.connectTimeout().toMillis())
              .setIdleTimeout(options.idleTimeout().toMillis())
              .putHeader(HttpHeaders.USER_AGENT, options.userAgent())
              .putHeader(HttpHeaders.ACCEPT,
                  "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
          if (validators.etag() != null) {
            request.putHeader(HttpHeaders.IF_NONE_MATCH, validators.etag());
          }
          if (validators.lastModified() != null) {
            request.putHeader(HttpHeaders.IF_MODIFIED_SINCE, validators.lastModified());
          }
          return client.request(request)
              .compose(req -> {
                transfer.request = req;
                return req.send().compose(transfer::read);
              })
              .recover(e -> Future.failedFuture(describe(uri, e)))
              .compose(response -> answer(uri, response, validators, redirects, permanent, transfer));
        });
  }

  private Future<Fetched> answer(URI uri, Response response, Validators validators, int redirects,
      boolean permanent, Transfer transfer) {
    var status = response.status();
    var location = response.headers().get("Location");
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
      return hop(next, validators, redirects + 1, permanent && (status == 301 || status == 308), transfer);
    }
    var movedTo = redirects > 0 && permanent ? uri.toString() : null;
    if (status == 304) {
      return Future.succeededFuture(new Fetched(uri.toString(), movedTo, true, null, null, validators.etag(),
          validators.lastModified()));
    }
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(new Fetched(uri.toString(), movedTo, false, response.body().getBytes(),
          charset(response.headers().get("Content-Type")), response.headers().get("ETag"),
          response.headers().get("Last-Modified")));
    }
    var message = "the feed server answered HTTP " + status + (response.reason() == null ? ""
        : " " + response.reason()) + " for " + uri;
    var retryable = status == 408 || status == 429 || status >= 500;
    return Future.failedFuture(new FeedException("http_" + status, message, !retryable));
  }

  private static FeedException describe(URI uri, Throwable e) {
    if (e instanceof FeedException f) {
      return f;
    }
    var text = String.valueOf(e.getMessage());
    if (e instanceof TimeoutException || e instanceof io.netty.handler.timeout.TimeoutException
        || text.toLowerCase(Locale.ROOT).contains("timeout") || text.toLowerCase(Locale.ROOT).contains("timed out")) {
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

  private record Response(int status, String reason, MultiMap headers, Buffer body) {
  }

  /** One fetch across its hops: the request in flight, reset at once when the body passes the cap or time is up. */
  private static final class Transfer {
    private final long max;
    private final Promise<Fetched> result = Promise.promise();
    private HttpClientRequest request;

    Transfer(long max) {
      this.max = max;
    }

    void fail(Throwable why) {
      if (result.tryFail(why) && request != null) {
        request.reset(0, why);
      }
    }

    Future<Response> read(HttpClientResponse response) {
      var promise = Promise.<Response>promise();
      var length = response.headers().get("Content-Length");
      if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > max) {
        fail(tooLarge());
        return promise.future();
      }
      var body = Buffer.buffer();
      response.handler(chunk -> {
        if (body.length() + (long) chunk.length() > max) {
          fail(tooLarge());
          promise.tryFail(tooLarge());
        } else {
          body.appendBuffer(chunk);
        }
      });
      response.exceptionHandler(promise::tryFail);
      response.endHandler(v -> promise.tryComplete(new Response(response.statusCode(), response.statusMessage(),
          response.headers(), body)));
      return promise.future();
    }

    private FeedException tooLarge() {
      return FeedException.permanent("too_large", "the feed is larger than " + (max / (1024 * 1024))
          + " MB (" + max + " bytes); refusing the rest");
    }
  }
}
