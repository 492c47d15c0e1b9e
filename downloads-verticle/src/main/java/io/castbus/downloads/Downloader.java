package io.castbus.downloads;

import io.castbus.common.ops.Meters;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunFailure;
import io.castbus.downloads.Episodes.Episode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code download_episode}: one episode's enclosure into the library. The episode goes {@code downloading}
 * when its transfer starts, then {@code completed} with its file, or back to {@code pending} while a retry is queued,
 * or {@code failed} with the cause. A partial survives retries, restarts and a replica taking over (it is resumed);
 * it is removed when the download is cancelled or fails for good.
 */
final class Downloader {

  private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
  static final String USER_CANCEL = RunContext.USER_CANCEL;
  private static final Set<String> WANTED = Set.of("pending", "downloading", "failed", "completed");

  private final Vertx vertx;
  private final Episodes episodes;
  private final Placement placement;
  private final Transfer transfer;
  private final EpisodeTags tags;
  private final io.castbus.common.LibraryChanges changes;
  private final io.castbus.common.crypto.SecretBox box;
  private final DownloadLimits limits;
  /** Whether WEBHOOK_URL gets episode_downloaded news too (WEBHOOK_EVENTS). */
  private boolean adminNews;

  /** Sends episode_downloaded news to WEBHOOK_URL too. */
  Downloader withAdminNews(boolean adminNews) {
    this.adminNews = adminNews;
    return this;
  }

  Downloader(Vertx vertx, Episodes episodes, Placement placement, Transfer transfer, EpisodeTags tags,
      io.castbus.common.LibraryChanges changes, io.castbus.common.crypto.SecretBox box, DownloadLimits limits) {
    this.vertx = vertx;
    this.episodes = episodes;
    this.placement = placement;
    this.transfer = transfer;
    this.tags = tags;
    this.changes = changes;
    this.box = box;
    this.limits = limits;
  }

  Future<JsonObject> download(RunContext ctx) {
    var id = ctx.payload().getValue("episode_id");
    if (!(id instanceof Number number)) {
      return Future.failedFuture(RunFailure.permanent("bad_payload", "the run's payload has no numeric episode_id: "
          + ctx.payload().encode()));
    }
    return episodes.find(number.longValue()).compose(episode -> {
      if (episode == null) {
        return Future.failedFuture(RunFailure.permanent("no_episode", "episode " + id + " does not exist"));
      }
      if (!WANTED.contains(episode.status())) {
        return skipped(ctx, episode, "the episode is no longer wanted (status " + episode.status() + ")");
      }
      if (episode.status().equals("completed") && episode.filePath() != null) {
        return vertx.fileSystem().exists(placement.resolve(episode.filePath()).toString()).compose(there -> there
            ? skipped(ctx, episode, "already downloaded to " + episode.filePath())
            : start(ctx, episode));
      }
      return start(ctx, episode);
    });
  }

  private Future<JsonObject> skipped(RunContext ctx, Episode episode, String why) {
    ctx.event(EventLevel.INFO, "episode " + episode.id() + ": nothing to do, " + why);
    return Future.succeededFuture(new JsonObject().put("episode_id", episode.id()).put("skipped", why));
  }

  private Future<JsonObject> start(RunContext ctx, Episode episode) {
    var host = host(episode.url());
    if (host == null) {
      var failure = RunFailure.permanent("bad_url", "episode " + episode.id() + " has no usable enclosure URL ('"
          + episode.url() + "')");
      return episodes.refused(episode.id(), failure.getMessage()).transform(v -> Future.failedFuture(failure));
    }
    return episodes.start(episode.id(), host, ctx.runId(), limits.perHost()).compose(busy -> {
      if (busy >= 0) {
        return Future.failedFuture(RunFailure.postpone("host_busy", "waiting: " + busy + " download(s) from " + host
            + " already running (at most " + limits.perHost() + " per host)", limits.hostBusyWait()));
      }
      var placed = placement.place(episode);
      return placed.compose(target -> fetch(ctx, episode, target))
          .recover(e -> ended(ctx, episode, placed.succeeded() ? placed.result() : null, e));
    });
  }

  private Future<JsonObject> fetch(RunContext ctx, Episode episode, String target) {
    var file = placement.resolve(target);
    var part = Path.of(file + FileNames.PART);
    var listener = new Progress(ctx, episode, target);
    return partialSize(part).compose(have -> {
      var validator = episode.validator();
      var resumeFrom = validator == null && episode.length() == null ? 0 : have;
      var credentials = credentials(episode);
      return transfer.fetch(episode.url(), part, resumeFrom, validator, episode.length(), ctx.cancelled(), listener,
              credentials)
          .recover(e -> {
            if (!(e instanceof Transfer.Restart restart)) {
              return Future.failedFuture(e);
            }
            ctx.event(EventLevel.WARN, restart.getMessage() + "; starting again from the beginning");
            return episodes.forgetPartial(episode.id()).compose(v -> transfer.fetch(episode.url(), part, 0, null, null,
                ctx.cancelled(), listener, credentials));
          });
    }).compose(outcome -> tags.tag(ctx, episode, part, target).compose(tagged -> vertx.fileSystem()
        .props(part.toString()).compose(props -> vertx.fileSystem()
        .move(part.toString(), file.toString(), new CopyOptions().setAtomicMove(true).setReplaceExisting(true))
        .compose(v -> episodes.completed(episode.id(), target, props.size(), ctx.runId(), tagged.durationSeconds()))
        .compose(v -> changes.changed())
        .compose(v -> episodes.downloadedNews(episode, target, props.size(), adminNews))
        .map(v -> {
          Meters.count("castbus_download_bytes", "Bytes downloaded into the library", outcome.bytes()
              - outcome.start().from());
          Meters.count("castbus_downloads_completed", "Episode files completed", 1);
          var line = "downloaded " + target + " (" + Transfer.size(outcome.bytes()) + ")"
              + (outcome.start().from() > 0 ? ", resumed at byte " + outcome.start().from() : "")
              + (tagged.tagged() ? ", tagged" + (tagged.artwork() == null ? "" : " with the " + tagged.artwork()
              + "'s artwork") : "");
          ctx.log(line);
          ctx.event(EventLevel.INFO, line);
          // The progress ends on the outcome, not on "downloading …".
          ctx.progress(props.size(), props.size(), "downloaded " + target);
          LOG.info("Run {} (download_episode, episode {}, podcast {}): {}", ctx.runId(), episode.id(),
              episode.podcastId(), line);
          return new JsonObject().put("episode_id", episode.id()).put("file_path", target)
              .put("bytes", props.size()).put("downloaded_bytes", outcome.bytes())
              .put("resumed_from", outcome.start().from()).put("url", outcome.start().url())
              .put("tags", tagged.toJson());
        }))));
  }

  /** A private feed's credentials, for enclosures at the feed's own origin (scheme, host and port) only. */
  private Transfer.Credentials credentials(Episode episode) {
    if (episode.authUsername() == null || episode.rssUrl() == null) {
      return null;
    }
    try {
      var password = box.open(episode.authPassword());
      var basic = java.util.Base64.getEncoder().encodeToString((episode.authUsername() + ":" + password)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return new Transfer.Credentials("Basic " + basic,
          io.castbus.common.net.OutboundHttp.origin(URI.create(episode.rssUrl())));
    } catch (io.castbus.common.crypto.SecretBox.Unreadable e) {
      throw RunFailure.permanent("credentials_unreadable", "the feed's credentials cannot be read: "
          + e.getMessage());
    }
  }

  private Future<Long> partialSize(Path part) {
    var fs = vertx.fileSystem();
    return fs.exists(part.toString()).compose(there -> there ? fs.props(part.toString()).map(p -> p.size())
        : Future.succeededFuture(0L));
  }

  /**
   * How an attempt that did not complete leaves the episode: a user's cancel removes the partial (status
   * {@code none}); a shutdown or lost lease leaves everything to whoever runs it next; a failure with a retry to come
   * keeps the partial ({@code pending}); the last failure removes it ({@code failed}).
   */
  private Future<JsonObject> ended(RunContext ctx, Episode episode, String target, Throwable e) {
    var part = target == null ? null : placement.resolve(target) + FileNames.PART;
    if (ctx.isCancelled()) {
      var reason = ctx.cancelled().result();
      if (!USER_CANCEL.equals(reason)) {
        // Shutdown or lost lease: back to the queue at once, the attempt not counted, the partial kept.
        return Future.failedFuture(RunFailure.postpone("stopped", "stopped: " + reason, Duration.ZERO));
      }
      return deleteQuietly(part)
          .compose(v -> episodes.ended(episode.id(), "none", "download " + USER_CANCEL, ctx.runId(), true))
          .transform(v -> Future.failedFuture(e));
    }
    var failure = RunFailure.of(e);
    var last = failure.permanent() || ctx.attempt() >= limits.maxAttempts();
    if (!last) {
      return episodes.ended(episode.id(), "pending", failure.getMessage(), ctx.runId(), false)
          .transform(v -> Future.failedFuture(failure));
    }
    return deleteQuietly(part)
        .compose(v -> episodes.ended(episode.id(), "failed", failure.getMessage(), ctx.runId(), true))
        .transform(v -> Future.failedFuture(failure));
  }

  private Future<Void> deleteQuietly(String path) {
    if (path == null) {
      return Future.succeededFuture();
    }
    var fs = vertx.fileSystem();
    return fs.exists(path).compose(there -> there ? fs.delete(path) : Future.succeededFuture());
  }

  /** The server an enclosure comes from, {@code host:port}: what the per-host limit counts. */
  private static String host(String url) {
    try {
      var uri = URI.create(url);
      var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return null;
      }
      var port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
      return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Stores the validators before the body, then reports progress on the run. */
  private final class Progress implements Transfer.Listener {
    private final RunContext ctx;
    private final Episode episode;
    private final String target;
    private String label = "";

    Progress(RunContext ctx, Episode episode, String target) {
      this.ctx = ctx;
      this.episode = episode;
      this.target = target;
    }

    @Override
    public Future<Void> started(Transfer.Start start) {
      label = "downloading " + target;
      var how = start.from() == 0 ? "fresh" : start.byLength() ? "range_by_length" : "if_range";
      var line = (start.from() > 0 ? "resuming " + start.url() + " at byte " + start.from()
          + (start.byLength() ? " (no validator: the range checked against the length first announced)" : "")
          : "fetching " + start.url()) + " into " + target
          + (start.total() == null ? "" : " (" + Transfer.size(start.total()) + ")");
      ctx.log(line);
      ctx.event(EventLevel.INFO, line, new JsonObject().put("episode_id", episode.id()).put("from", start.from())
          .put("total", start.total()).put("status", start.status()).put("resume", how));
      ctx.progress(start.from(), start.total(), label);
      return episodes.saveValidators(episode.id(), start.etag(), start.lastModified(), start.total(), ctx.runId());
    }

    @Override
    public void progress(long bytes, Long total) {
      ctx.progress(bytes, total, label);
    }
  }
}
