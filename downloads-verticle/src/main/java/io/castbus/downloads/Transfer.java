package io.castbus.downloads;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.Pipe;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One enclosure fetched into its {@code .part} file: redirects followed one hop at a time (at most 5, loops
 * refused), a resume with {@code Range}/{@code If-Range} when the partial has a validator, the body piped to disk
 * with back-pressure, and every limit checked on the way — status, content type, size cap, free disk, idle time,
 * total time, stop requests. The file is fsynced and closed before the outcome is returned; renaming it is the
 * caller's job.
 */
final class Transfer {

  static final int MAX_REDIRECTS = 5;
  static final String USER_AGENT = "Castbus/0.1 (podcast downloader)";
  private static final int WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  /** What the server said before the body: the validators to store with the partial, and where it starts. */
  record Start(String url, int status, long from, Long total, String etag, String lastModified, String contentType) {
  }

  /** A finished transfer: the bytes now in the partial (all of it), the total and where this request began. */
  record Outcome(Start start, long bytes) {
  }

  /** Receives the start before any byte is written (to store validators) and progress as bytes arrive. */
  interface Listener {
    Future<Void> started(Start start);

    void progress(long bytes, Long total);
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final DownloadLimits limits;
  private final Path library;
  private final NetworkPolicy policy;

  Transfer(Vertx vertx, HttpClient client, DownloadLimits limits, Path library, NetworkPolicy policy) {
    this.vertx = vertx;
    this.client = client;
    this.limits = limits;
    this.library = library;
    this.policy = policy;
  }

  /**
   * Fetches {@code url} into {@code part}, resuming from {@code have} bytes when {@code validator} (an ETag or a
   * Last-Modified date) is given. Fails with a {@link RunFailure} naming the cause, or with {@link Stopped} when
   * {@code stop} completed first.
   */
  Future<Outcome> fetch(String url, Path part, long have, String validator, Future<String> stop, Listener listener) {
    var attempt = new Attempt(part, have, validator, stop, listener);
    return attempt.run(url);
  }

  /** The transfer was stopped from outside (cancel, shutdown, lease lost); the reason is the message. */
  static final class Stopped extends RuntimeException {
    Stopped(String reason) {
      super(reason, null, false, false);
    }
  }

  private final class Attempt {
    private final Path part;
    private final long have;
    private final String validator;
    private final Future<String> stop;
    private final Listener listener;
    private final List<String> hops = new ArrayList<>();
    private HttpClientRequest request;
    private RuntimeException abort;
    private long lastActivity = System.nanoTime();
    private long watchdog = -1;
    private Promise<Outcome> result;

    Attempt(Path part, long have, String validator, Future<String> stop, Listener listener) {
      this.part = part;
      this.have = have;
      this.validator = validator;
      this.stop = stop;
      this.listener = listener;
    }

    Future<Outcome> run(String url) {
      result = Promise.promise();
      var tick = Math.max(50, Math.min(1000, limits.idleTimeout().toMillis() / 4));
      watchdog = vertx.setPeriodic(tick, t -> checkIdle());
      var deadline = vertx.setTimer(limits.totalTimeout().toMillis(), t -> abort(RunFailure.transientFailure("timeout",
          "the transfer did not finish within " + human(limits.totalTimeout()) + " (one attempt's limit); the next "
          + "attempt resumes it")));
      stop.onSuccess(reason -> abort(new Stopped(reason)));
      freeSpace().onComplete(free -> {
        if (free.succeeded() && free.result() < limits.minFreeBytes()) {
          fail(diskFull(free.result(), 0));
        } else {
          hop(url, have > 0 && validator != null);
        }
      });
      return result.future().onComplete(ar -> {
        vertx.cancelTimer(watchdog);
        vertx.cancelTimer(deadline);
      });
    }

    private void hop(String url, boolean resume) {
      if (result.future().isComplete()) {
        return;
      }
      if (hops.contains(url)) {
        fail(RunFailure.permanent("redirect_loop", "redirect loop: " + String.join(" → ", hops) + " → " + url));
        return;
      }
      if (hops.size() > MAX_REDIRECTS) {
        fail(RunFailure.permanent("too_many_redirects", "more than " + MAX_REDIRECTS + " redirects from "
            + hops.get(0) + " (last " + url + ")"));
        return;
      }
      hops.add(url);
      var scheme = schemeOf(url);
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        fail(RunFailure.permanent("bad_url", "the enclosure URL '" + url + "' is not an http(s) URL"));
        return;
      }
      policy.check(vertx, url).onComplete(checked -> {
        if (checked.failed()) {
          var message = "the enclosure URL " + url + " may not be fetched: " + checked.cause().getMessage();
          if (!(checked.cause() instanceof NetworkPolicy.Refused r)) {
            fail(RunFailure.permanent("refused_url", message));
          } else {
            fail(r.retryable() ? RunFailure.transientFailure(r.code(), message) : RunFailure.permanent(r.code(), message));
          }
        } else {
          send(url, checked.result(), resume);
        }
      });
    }

    private void send(String url, NetworkPolicy.Target target, boolean resume) {
      if (result.future().isComplete()) {
        return;
      }
      var options = target.request().setMethod(HttpMethod.GET).setFollowRedirects(false)
          .setConnectTimeout(limits.idleTimeout().toMillis())
          .putHeader(HttpHeaders.ACCEPT_ENCODING, "identity").putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
      if (resume) {
        options.putHeader("Range", "bytes=" + have + "-").putHeader("If-Range", validator);
      }
      lastActivity = System.nanoTime();
      client.request(options)
          .compose(req -> {
            request = req;
            if (abort != null) {
              req.reset(0, abort);
              return Future.failedFuture(abort);
            }
            return req.send();
          })
          .onSuccess(response -> {
            // The pipe pauses the body, and holds its end or failure, until it is attached to the file.
            var pipe = response.pipe().endOnSuccess(false).endOnFailure(false);
            lastActivity = System.nanoTime();
            answer(url, resume, response, pipe);
          })
          .onFailure(e -> fail(abort != null ? abort : broken(url, e, 0, null)));
    }

    private void answer(String url, boolean resume, HttpClientResponse response, Pipe<Buffer> pipe) {
      var status = response.statusCode();
      if (status >= 300 && status < 400 && response.getHeader(HttpHeaders.LOCATION) != null) {
        discard(response, pipe);
        String next;
        try {
          next = URI.create(url).resolve(response.getHeader(HttpHeaders.LOCATION).trim()).toString();
        } catch (IllegalArgumentException e) {
          fail(RunFailure.permanent("bad_redirect", "the server at " + url + " redirected to an invalid location '"
              + response.getHeader(HttpHeaders.LOCATION) + "'"));
          return;
        }
        hop(next, resume);
        return;
      }
      if (status == 416 && resume) {
        discard(response, pipe);
        hops.remove(hops.size() - 1);
        fail(new Restart("the server cannot resume at byte " + have + " (416)"));
        return;
      }
      if (status != 200 && status != 206) {
        discard(response, pipe);
        fail(statusFailure(url, response));
        return;
      }
      var type = response.getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
        discard(response, pipe);
        fail(RunFailure.permanent("html_instead_of_audio", "the server sent an HTML page (" + type + ") instead of "
            + "the episode's audio at " + url));
        return;
      }
      Start start;
      if (status == 206) {
        var range = response.getHeader(HttpHeaders.CONTENT_RANGE);
        var m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
        if (!resume || m == null || !m.matches() || Long.parseLong(m.group(1)) != have) {
          discard(response, pipe);
          fail(new Restart("the server answered a partial range '" + range + "' that does not continue the "
              + have + " bytes already on disk"));
          return;
        }
        var total = m.group(3).equals("*") ? null : Long.valueOf(m.group(3));
        start = new Start(url, status, have, total, etag(response), response.getHeader(HttpHeaders.LAST_MODIFIED),
            type);
      } else {
        var length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        Long total = null;
        try {
          total = length == null ? null : Long.valueOf(length.trim());
        } catch (NumberFormatException e) {
          discard(response, pipe);
          fail(RunFailure.transientFailure("bad_length", "the server sent an invalid Content-Length '" + length
              + "'"));
          return;
        }
        start = new Start(url, status, 0, total, etag(response), response.getHeader(HttpHeaders.LAST_MODIFIED),
            type);
      }
      if (start.total() != null && start.total() > limits.maxFileBytes()) {
        discard(response, pipe);
        fail(RunFailure.permanent("file_too_large", "the file is " + size(start.total()) + ", more than the "
            + size(limits.maxFileBytes()) + " allowed (DOWNLOAD_MAX_FILE_MB)"));
        return;
      }
      stream(pipe, start);
    }

    /**
     * Streams the body from the first byte — the sink holds what arrives while the file opens — while the free disk
     * is checked and the validators are stored; either failing stops the transfer.
     */
    private void stream(Pipe<Buffer> pipe, Start start) {
      var counter = new Counter(start);
      var file = FileSink.open(vertx, part, start.from(), WRITE_QUEUE_BYTES, counter, this::writeFailed);
      var needed = start.total() == null ? 0 : start.total() - start.from();
      var checked = freeSpace().compose(free -> free - needed < limits.minFreeBytes()
              ? Future.failedFuture(diskFull(free, needed)) : listener.started(start))
          .recover(e -> Future.failedFuture(e instanceof RunFailure f ? f
              : RunFailure.transientFailure("store", "could not record the download's start: " + e.getMessage(), e)))
          .onFailure(e -> abort((RuntimeException) e));
      var diskTimer = vertx.setPeriodic(1000, t -> freeSpace().onSuccess(free -> {
        if (free < limits.minFreeBytes()) {
          abort(diskFull(free, start.total() == null ? 0 : start.total() - start.from() - counter.written));
        }
      }));
      pipe.to(file)
          .transform(ar -> {
            vertx.cancelTimer(diskTimer);
            if (ar.failed()) {
              // What arrived before the break is kept, and the validators stored, before the attempt ends: the
              // next one resumes from there.
              return checked.transform(v -> file.closeSynced())
                  .transform(v -> Future.<Outcome>failedFuture(ar.cause()));
            }
            return checked.compose(v -> file.closeSynced())
                .recover(e -> file.discard().transform(v -> Future.failedFuture(e)))
                .map(v -> new Outcome(start, start.from() + counter.written));
          })
          .onComplete(ar -> {
            if (ar.succeeded()) {
              var got = ar.result().bytes();
              if (start.total() != null && got != start.total()) {
                fail(RunFailure.transientFailure("short_body", "the server ended the body after " + got + " of "
                    + start.total() + " bytes"));
              } else {
                listener.progress(got, start.total());
                succeed(ar.result());
              }
            } else {
              fail(abort != null ? abort : broken(start.url(), ar.cause(), start.from() + counter.written,
                  start.total()));
            }
          });
    }

    private void writeFailed(Throwable e) {
      var why = String.valueOf(e.getMessage());
      abort(why.contains("No space left") ? RunFailure.permanent("disk_full", "the disk under DOWNLOAD_DIR is full: "
          + why) : RunFailure.transientFailure("file", "cannot write " + part + ": " + why));
    }

    private Future<Long> freeSpace() {
      return vertx.fileSystem().fsProps(library.toString()).map(p -> p.usableSpace());
    }

    private RunFailure diskFull(long free, long needed) {
      return RunFailure.permanent("disk_full", "not enough free disk under DOWNLOAD_DIR: " + size(free)
          + " free, the file needs " + (needed > 0 ? size(needed) : "an unknown amount") + " more and "
          + size(limits.minFreeBytes()) + " must stay free (DOWNLOAD_MIN_FREE_MB)");
    }

    private void checkIdle() {
      var idle = Duration.ofNanos(System.nanoTime() - lastActivity);
      if (idle.compareTo(limits.idleTimeout()) >= 0) {
        abort(RunFailure.transientFailure("stalled", "no data from the server for " + idle.toSeconds() + " s (idle "
            + "timeout " + limits.idleTimeout().toSeconds() + " s, DOWNLOAD_IDLE_TIMEOUT)"));
      }
    }

    private void abort(RuntimeException why) {
      if (abort != null || result.future().isComplete()) {
        return;
      }
      abort = why;
      if (request != null) {
        request.reset(0, why);
      }
      vertx.setTimer(200, t -> fail(why));
    }

    private void discard(HttpClientResponse response, Pipe<Buffer> pipe) {
      pipe.close();
      response.request().reset();
    }

    private void succeed(Outcome outcome) {
      result.tryComplete(outcome);
    }

    private void fail(Throwable cause) {
      result.tryFail(cause);
    }

    /** What arrives, before it is written: counted against the size cap and reported as progress. */
    private final class Counter implements Predicate<Buffer> {
      private final Start start;
      private final long step;
      long written;
      private long reported;
      private long reportedAt = System.nanoTime();

      Counter(Start start) {
        this.start = start;
        this.step = start.total() == null ? 1024 * 1024 : Math.max(64 * 1024, start.total() / 100);
      }

      @Override
      public boolean test(Buffer data) {
        lastActivity = System.nanoTime();
        written += data.length();
        var bytes = start.from() + written;
        if (bytes > limits.maxFileBytes()) {
          abort(RunFailure.permanent("file_too_large", "the body went past " + size(limits.maxFileBytes())
              + " (DOWNLOAD_MAX_FILE_MB) without ending"));
          return false;
        }
        if (written - reported >= step || lastActivity - reportedAt >= 500_000_000L) {
          reported = written;
          reportedAt = lastActivity;
          listener.progress(bytes, start.total());
        }
        return true;
      }
    }
  }

  /** Resuming is not possible after all: the caller starts again from byte 0. */
  static final class Restart extends RuntimeException {
    Restart(String why) {
      super(why, null, false, false);
    }
  }

  private static RunFailure statusFailure(String url, HttpClientResponse response) {
    var status = response.statusCode();
    var message = "the server answered " + status + (response.statusMessage() == null ? "" : " "
        + response.statusMessage()) + " for " + url;
    return switch (status) {
      case 401, 403, 404, 410 -> RunFailure.permanent("http_" + status, message);
      case 408, 425, 429, 500, 502, 503, 504 -> {
        var failure = RunFailure.transientFailure("http_" + status, message);
        var wait = retryAfter(response.getHeader(HttpHeaders.RETRY_AFTER), Instant.now());
        yield wait == null ? failure : failure.retryAfter(wait);
      }
      default -> status >= 400 && status < 500 ? RunFailure.permanent("http_" + status, message)
          : RunFailure.transientFailure("http_" + status, message);
    };
  }

  /** A {@code Retry-After} of seconds or an HTTP date, as a wait from {@code now}; null when absent or invalid. */
  static Duration retryAfter(String header, Instant now) {
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

  private static String human(Duration d) {
    return d.toMinutes() >= 1 ? d.toMinutes() + " min" : d.toMillis() + " ms";
  }

  static String size(long bytes) {
    return bytes < 1024 * 1024 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static RuntimeException broken(String url, Throwable e, long bytes, Long total) {
    if (e instanceof RunFailure || e instanceof Stopped || e instanceof Restart) {
      return (RuntimeException) e;
    }
    var what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    var where = bytes > 0 ? " after " + bytes + (total == null ? "" : " of " + total) + " bytes" : "";
    return RunFailure.transientFailure("connection", "the transfer from " + url + " broke" + where + ": " + what, e);
  }

  private static String etag(HttpClientResponse response) {
    var etag = response.getHeader(HttpHeaders.ETAG);
    return etag == null || etag.startsWith("W/") ? null : etag;
  }

  private static String schemeOf(String url) {
    try {
      var scheme = URI.create(url).getScheme();
      return scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
