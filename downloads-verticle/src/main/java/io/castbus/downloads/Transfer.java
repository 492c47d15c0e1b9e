package io.castbus.downloads;

import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.Pipe;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One enclosure fetched into its {@code .part} file through the {@link OutboundHttp} path (which follows redirects
 * under the network policy, bounds the connection, each silence and the whole attempt, and caps the size): a resume
 * with {@code Range}/{@code If-Range} when the partial has a validator, the body piped to disk with back-pressure,
 * and what only a download checks on the way — the answer continues the partial, the content is not an HTML page,
 * the disk has room. The file is fsynced and closed before the outcome is returned; renaming it is the caller's job.
 */
final class Transfer {

  static final String USER_AGENT = "Castbus/0.1 (podcast downloader)";
  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the enclosure URL", "the file", "the server",
      "%d", "connection", "stalled", "stalled", "file_too_large", false);
  private static final int WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  /**
   * What the server said before the body: the validators and the total to store with the partial, and where it
   * starts; {@code byLength} when a resume was checked by the total alone (the server sends no validator).
   */
  record Start(String url, int status, long from, Long total, String etag, String lastModified, String contentType,
      boolean byLength) {
  }

  /** A finished transfer: the bytes now in the partial (all of it), the total and where this request began. */
  record Outcome(Start start, long bytes) {
  }

  /** Receives the start before any byte is written (to store validators) and progress as bytes arrive. */
  interface Listener {
    Future<Void> started(Start start);

    void progress(long bytes, Long total);
  }

  /** The options of the outbound path for downloads, from the download limits. */
  static OutboundHttp.Options outbound(DownloadLimits limits) {
    // As many connections per server as downloads at once: redirects may send them all to one CDN.
    return new OutboundHttp.Options(limits.idleTimeout(), limits.idleTimeout(), 5, USER_AGENT, false,
        limits.clusterConcurrency());
  }

  private final Vertx vertx;
  private final OutboundHttp http;
  private final DownloadLimits limits;
  private final Path library;

  Transfer(Vertx vertx, OutboundHttp http, DownloadLimits limits, Path library) {
    this.vertx = vertx;
    this.http = http;
    this.limits = limits;
    this.library = library;
  }

  /**
   * Fetches {@code url} into {@code part}, resuming from {@code have} bytes when the partial is known: by
   * {@code validator} (an ETag or a Last-Modified date, sent as {@code If-Range}), or, from a server that sends
   * neither, by {@code length}, the total it first announced — then a plain {@code Range} is sent, and its
   * {@code 206} is taken only if it continues the partial and announces that same total (as wget and curl resume,
   * made safe). Fails with a {@link RunFailure} naming the cause, {@link Restart} when the partial cannot be
   * continued, or {@link OutboundHttp.Stopped} when {@code stop} completed first.
   */
  Future<Outcome> fetch(String url, Path part, long have, String validator, Long length, Future<String> stop,
      Listener listener) {
    return fetch(url, part, have, validator, length, stop, listener, null);
  }

  /** As above; {@code credentials}, when set, go to the hops at their origin only (a private feed's). */
  Future<Outcome> fetch(String url, Path part, long have, String validator, Long length, Future<String> stop,
      Listener listener, Credentials credentials) {
    var resume = have > 0 && (validator != null || length != null);
    // The cap is set once the answer says where the body starts (a resumed file may take only what it lacks).
    var request = OutboundHttp.Request.get(url, Long.MAX_VALUE, limits.totalTimeout()).stopWhen(stop);
    if (credentials != null) {
      request = request.credentials(credentials.authorization(), credentials.origin());
    }
    if (resume) {
      request = request.headers(validator != null ? Map.of("Range", "bytes=" + have + "-", "If-Range", validator)
          : Map.of("Range", "bytes=" + have + "-"));
    }
    var opened = request;
    var known = validator != null ? null : length;
    return freeSpace().compose(free -> free < limits.minFreeBytes() ? Future.failedFuture(diskFull(free, 0))
        : http.open(opened)).compose(exchange -> new Attempt(part, resume ? have : 0, resume, known, listener,
            exchange).answer());
  }

  /** An {@code Authorization} value and the origin ({@code scheme://host:port}) it may be sent to. */
  record Credentials(String authorization, String origin) {

    @Override
    public String toString() {
      return "Credentials[" + origin + ", ***]";
    }
  }

  private final class Attempt {
    private final Path part;
    private final long have;
    private final boolean resume;
    /** The total a validator-less partial was first announced with; null when a validator identifies it. */
    private final Long announced;
    private final Listener listener;
    private final OutboundHttp.Exchange exchange;
    private final Promise<Outcome> result = Promise.promise();

    Attempt(Path part, long have, boolean resume, Long announced, Listener listener, OutboundHttp.Exchange exchange) {
      this.part = part;
      this.have = have;
      this.resume = resume;
      this.announced = announced;
      this.listener = listener;
      this.exchange = exchange;
    }

    Future<Outcome> answer() {
      try {
        check();
      } catch (RuntimeException e) {
        exchange.discard();
        result.tryFail(e);
      }
      return result.future().onComplete(ar -> exchange.finish());
    }

    private void check() {
      var status = exchange.status();
      var url = exchange.url();
      if (status == 416 && resume) {
        throw new Restart("the server cannot resume at byte " + have + " (416)");
      }
      if (status != 200 && status != 206) {
        throw exchange.statusFailure();
      }
      var type = exchange.contentType();
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
        throw RunFailure.permanent("html_instead_of_audio", "the server sent an HTML page (" + type + ") instead of "
            + "the episode's audio at " + url);
      }
      Start start;
      if (status == 206) {
        var range = exchange.header("Content-Range");
        var m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
        if (!resume || m == null || !m.matches() || Long.parseLong(m.group(1)) != have) {
          throw new Restart("the server answered a partial range '" + range + "' that does not continue the "
              + have + " bytes already on disk");
        }
        var total = m.group(3).equals("*") ? null : Long.valueOf(m.group(3));
        if (announced != null && !announced.equals(total)) {
          throw new Restart("the server has no validator and now announces " + (total == null ? "no total" : total
              + " bytes") + " where it first announced " + announced + ": the partial may be of another file");
        }
        start = new Start(url, status, have, total, exchange.strongEtag(), exchange.lastModified(), type,
            announced != null);
      } else {
        start = new Start(url, status, 0, exchange.contentLength(), exchange.strongEtag(), exchange.lastModified(),
            type, false);
      }
      if (start.total() != null && start.total() > limits.maxFileBytes()) {
        throw RunFailure.permanent("file_too_large", "the file is " + size(start.total()) + ", more than the "
            + size(limits.maxFileBytes()) + " allowed (DOWNLOAD_MAX_FILE_MB)");
      }
      exchange.limit(limits.maxFileBytes() - start.from());
      stream(exchange.pipe(), start);
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
          .onFailure(e -> exchange.abort((RuntimeException) e));
      var diskTimer = vertx.setPeriodic(1000, t -> freeSpace().onSuccess(free -> {
        if (free < limits.minFreeBytes()) {
          exchange.abort(diskFull(free, start.total() == null ? 0 : start.total() - start.from() - counter.written));
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
                result.tryFail(RunFailure.transientFailure("short_body", "the server ended the body after " + got
                    + " of " + start.total() + " bytes"));
              } else {
                listener.progress(got, start.total());
                result.tryComplete(ar.result());
              }
            } else {
              result.tryFail(exchange.broken(ar.cause(), start.from() + counter.written, start.total()));
            }
          });
    }

    private void writeFailed(Throwable e) {
      var why = String.valueOf(e.getMessage());
      exchange.abort(why.contains("No space left") ? RunFailure.permanent("disk_full", "the disk under DOWNLOAD_DIR "
          + "is full: " + why) : RunFailure.transientFailure("file", "cannot write " + part + ": " + why));
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
        if (!exchange.received(data.length())) {
          return false;
        }
        written += data.length();
        var now = System.nanoTime();
        if (written - reported >= step || now - reportedAt >= 500_000_000L) {
          reported = written;
          reportedAt = now;
          listener.progress(start.from() + written, start.total());
        }
        return true;
      }
    }
  }

  private Future<Long> freeSpace() {
    return vertx.fileSystem().fsProps(library.toString()).map(p -> p.usableSpace());
  }

  private RunFailure diskFull(long free, long needed) {
    return RunFailure.permanent("disk_full", "not enough free disk under DOWNLOAD_DIR: " + size(free)
        + " free, the file needs " + (needed > 0 ? size(needed) : "an unknown amount") + " more and "
        + size(limits.minFreeBytes()) + " must stay free (DOWNLOAD_MIN_FREE_MB)");
  }

  /** Resuming is not possible after all: the caller starts again from byte 0. */
  static final class Restart extends RuntimeException {
    Restart(String why) {
      super(why, null, false, false);
    }
  }

  static String size(long bytes) {
    return bytes < 1024 * 1024 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
