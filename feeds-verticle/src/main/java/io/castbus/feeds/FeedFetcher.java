package io.castbus.feeds;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * Fetches feeds through the {@link OutboundHttp} path: a conditional GET (ETag, Last-Modified) asking for feeds,
 * gzip accepted, redirects, timeouts and the size cap as {@link FetchOptions} give them. What a feed fetch adds is
 * only what it asks for and what it keeps of the answer.
 */
final class FeedFetcher {

  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the feed", "the feed", "the feed server",
      "HTTP %d", "unreachable", "timeout", "timeout", "too_large", false);
  private static final Map<String, String> ACCEPT = Map.of("Accept",
      "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");

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

  private final OutboundHttp http;
  private final FetchOptions options;

  FeedFetcher(Vertx vertx, NetworkPolicy policy, FetchOptions options) {
    this.options = options;
    this.http = new OutboundHttp(vertx, policy, new OutboundHttp.Options(options.connectTimeout(),
        options.idleTimeout(), options.maxRedirects(), options.userAgent(), true, 32), WORDS);
  }

  Future<Fetched> fetch(String url, Validators validators) {
    return fetch(url, validators, null);
  }

  /**
   * Fetches {@code url}; with {@code credentials} (a private feed), Basic auth goes to the feed's origin only, and a
   * 401 says the credentials were refused.
   */
  Future<Fetched> fetch(String url, Validators validators, FeedCredentials credentials) {
    var request = OutboundHttp.Request.get(url, options.maxBytes(), options.totalTimeout()).headers(ACCEPT)
        .ifChanged(validators.etag(), validators.lastModified());
    if (credentials != null) {
      request = request.credentials(credentials.authorization());
    }
    return http.open(request).compose(exchange -> {
      var status = exchange.status();
      if (status == 304) {
        return exchange.body().map(empty -> new Fetched(exchange.url(), exchange.movedTo(), true, null, null,
            validators.etag(), validators.lastModified()));
      }
      if (status == 401 || status == 403) {
        exchange.discard();
        return Future.failedFuture(RunFailure.permanent("credentials_refused", credentials != null
            ? "the feed server refused the credentials (HTTP " + status + ") for " + exchange.url()
            : "the feed at " + exchange.url() + " asks for credentials (HTTP " + status + "): give them in auth"));
      }
      if (status / 100 != 2) {
        exchange.discard();
        return Future.failedFuture(exchange.statusFailure());
      }
      return exchange.body().map(body -> new Fetched(exchange.url(), exchange.movedTo(), false, body.getBytes(),
          exchange.charset(), exchange.etag(), exchange.lastModified()));
    });
  }

  Future<Void> close() {
    return http.close();
  }
}
