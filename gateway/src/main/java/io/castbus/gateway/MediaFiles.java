package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Serves files of the library (DOWNLOAD_DIR) the way players expect: one byte range per request ({@code Range},
 * answered 206, or 416 past the end), {@code If-Range}, a strong {@code ETag} and {@code Last-Modified},
 * {@code If-None-Match}, {@code HEAD}, and the body sent by the kernel (Vert.x's zero-copy file sending). The path
 * comes from the database, never from the request, and is served only when it lies inside DOWNLOAD_DIR, through links
 * too.
 */
final class MediaFiles {

  private static final Pattern ONE_RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  private final Vertx vertx;
  private final Path root;

  /** What is served: the real file, its size and modification time. */
  record Served(Path file, long size, Instant modified) {

    String etag() {
      return "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.toEpochMilli()) + "\"";
    }

    String lastModified() {
      return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC));
    }
  }

  /** A byte range of a file of {@code size} bytes: first and last byte, inclusive. */
  record Range(long first, long last) {

    long length() {
      return last - first + 1;
    }
  }

  MediaFiles(Vertx vertx, Path downloadDir) {
    this.vertx = vertx;
    this.root = downloadDir.toAbsolutePath().normalize();
  }

  /** Answers the file at {@code relative} (to DOWNLOAD_DIR) as {@code type}; 404 when it is not a file there. */
  Future<Void> serve(RoutingContext ctx, String relative, String type) {
    return locate(relative).compose(served -> send(ctx, served, type(type, served.file())));
  }

  private Future<Served> locate(String relative) {
    var path = root.resolve(relative).normalize();
    if (Path.of(relative).isAbsolute() || !path.startsWith(root) || path.equals(root)) {
      return Future.failedFuture(missing());
    }
    return vertx.executeBlocking(() -> {
      try {
        var real = path.toRealPath();
        if (!real.startsWith(root.toRealPath())) {
          throw missing();
        }
        var attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
          throw missing();
        }
        return new Served(real, attributes.size(),
            attributes.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS));
      } catch (IOException e) {
        throw missing();
      }
    }, false);
  }

  private static ServiceError missing() {
    return ServiceError.notFound("not found");
  }

  private static Future<Void> send(RoutingContext ctx, Served served, String type) {
    var request = ctx.request();
    var response = ctx.response();
    var etag = served.etag();
    response.putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.LAST_MODIFIED, served.lastModified())
        .putHeader(HttpHeaders.CONTENT_TYPE, type);
    var noneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
    if (noneMatch != null && matches(noneMatch, etag)) {
      return response.setStatusCode(304).end();
    }
    var range = rangeOf(request.getHeader("Range"), request.getHeader("If-Range"), served);
    if (range == UNSATISFIABLE) {
      return response.setStatusCode(416).putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + served.size()).end();
    }
    var first = range == null ? 0 : range.first();
    var length = range == null ? served.size() : range.length();
    if (range != null) {
      response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE,
          "bytes " + range.first() + "-" + range.last() + "/" + served.size());
    }
    if (request.method() == HttpMethod.HEAD) {
      return response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
    }
    return response.sendFile(served.file().toString(), first, length);
  }

  private static final Range UNSATISFIABLE = new Range(-1, -2);

  /**
   * The range a request asks for, null for the whole file (no Range, one that does not parse or names several
   * ranges, or an If-Range that no longer matches), {@link #UNSATISFIABLE} for one starting past the end.
   */
  static Range rangeOf(String header, String ifRange, Served served) {
    if (header == null) {
      return null;
    }
    var m = ONE_RANGE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return null;
    }
    if (ifRange != null && !stillCurrent(ifRange.trim(), served)) {
      return null;
    }
    var size = served.size();
    try {
      if (m.group(1).isEmpty()) {
        var suffix = Long.parseLong(m.group(2));
        if (suffix == 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new Range(Math.max(0, size - suffix), size - 1);
      }
      var first = Long.parseLong(m.group(1));
      var last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
      if (first >= size) {
        return UNSATISFIABLE;
      }
      return first > last ? null : new Range(first, last);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** If-Range: the strong ETag or the exact Last-Modified date of the file as it is now. */
  private static boolean stillCurrent(String ifRange, Served served) {
    if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
      return ifRange.equals(served.etag());
    }
    try {
      return ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().equals(served.modified());
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (var candidate : ifNoneMatch.split(",")) {
      var c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /** The type the feed gave when it names audio, video or an image, else what the file's extension says. */
  static String type(String given, Path file) {
    if (given != null) {
      var lower = given.toLowerCase(Locale.ROOT).trim();
      if (lower.matches("(audio|video|image)/[a-z0-9.+-]{1,60}")) {
        return lower;
      }
    }
    var byName = MimeMapping.mimeTypeForFilename(file.getFileName().toString());
    return byName != null ? byName : "application/octet-stream";
  }
}
