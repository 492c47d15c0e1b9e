package io.castbus.downloads;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Fetches artwork through the {@link OutboundHttp} path: the network policy, redirects and timeouts as for feeds, a
 * size cap, only {@code image/*} answers taken, and a conditional GET so an unchanged image is not fetched again.
 */
final class Images {

  /** The cover kept in a podcast's folder may be this large. */
  static final long MAX_COVER_BYTES = 10L * 1024 * 1024;
  /** Artwork embedded in a file's tags may be this large. */
  static final long MAX_EMBEDDED_BYTES = 1024L * 1024;

  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the image URL", "the image", "the image server",
      "HTTP %d", "unreachable", "timeout", "timeout", "image_too_large", false);
  private static final Duration TOTAL = Duration.ofSeconds(60);
  private static final Map<String, String> ACCEPT = Map.of("Accept", "image/*");
  private static final Map<String, String> EXTENSIONS = Map.of("image/jpeg", "jpg", "image/jpg", "jpg",
      "image/png", "png", "image/webp", "webp", "image/gif", "gif");

  /** An image fetched: its bytes (null when not modified), type, file extension and validators. */
  record Image(boolean notModified, byte[] bytes, String type, String extension, String etag, String lastModified) {
  }

  private final OutboundHttp http;

  Images(Vertx vertx, NetworkPolicy policy, String userAgent) {
    this.http = new OutboundHttp(vertx, policy, new OutboundHttp.Options(Duration.ofSeconds(15),
        Duration.ofSeconds(30), 5, userAgent, false, 4), WORDS);
  }

  /** Fetches {@code url}, at most {@code maxBytes}; with validators, an unchanged image answers not modified. */
  Future<Image> fetch(String url, long maxBytes, String etag, String lastModified) {
    var request = OutboundHttp.Request.get(url, maxBytes, TOTAL).headers(ACCEPT).ifChanged(etag, lastModified);
    return http.open(request).compose(exchange -> {
      if (exchange.status() == 304 && (etag != null || lastModified != null)) {
        return exchange.body().map(empty -> new Image(true, null, null, null, etag, lastModified));
      }
      if (exchange.status() / 100 != 2) {
        exchange.discard();
        return Future.failedFuture(exchange.statusFailure());
      }
      var type = mediaType(exchange.contentType());
      var extension = EXTENSIONS.get(type);
      if (extension == null) {
        exchange.discard();
        return Future.failedFuture(RunFailure.permanent("not_an_image", "the image URL " + url + " answered "
            + (type == null ? "no Content-Type" : "'" + type + "'") + ", not a JPEG, PNG, WebP or GIF image"));
      }
      var length = exchange.contentLength();
      if (length != null && length > maxBytes) {
        exchange.discard();
        return Future.failedFuture(RunFailure.permanent("image_too_large", "the image at " + url + " is "
            + Transfer.size(length) + ", over the " + Transfer.size(maxBytes) + " allowed"));
      }
      return exchange.body().map(body -> new Image(false, body.getBytes(), type, extension, exchange.etag(),
          exchange.lastModified()));
    });
  }

  Future<Void> close() {
    return http.close();
  }

  private static String mediaType(String contentType) {
    return contentType == null ? null : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }
}
