package io.castbus.downloads;

import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunFailure;
import io.castbus.downloads.Episodes.Episode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Tags a downloaded episode while it is still a partial, so a player never sees an untagged file ({@link Tagger}):
 * the episode's own image is embedded when it has one, else the podcast's cover (its image, while the cover is not
 * kept yet), each only up to 1 MB. A file that
 * cannot be tagged is kept as it is, with a warning on the run: tagging never fails a download. TAG_FILES=false
 * turns it off. Either way the audio's length is read from the file, for an episode whose feed gives none.
 */
final class EpisodeTags {

  private final Vertx vertx;
  private final Images images;
  private final Placement placement;
  private final boolean enabled;

  /**
   * What tagging did: whether the file was tagged, which artwork it carries ({@code episode}, {@code podcast}), and the
   * audio's length in seconds as the file gives it (null when unknown).
   */
  record Outcome(boolean tagged, String artwork, Integer durationSeconds) {

    JsonObject toJson() {
      return new JsonObject().put("tagged", tagged).put("artwork", artwork).put("duration_s", durationSeconds);
    }
  }

  private record Cover(byte[] bytes, String type, String from) {
  }

  EpisodeTags(Vertx vertx, Images images, Placement placement, boolean enabled) {
    this.vertx = vertx;
    this.images = images;
    this.placement = placement;
    this.enabled = enabled;
  }

  /** Tags {@code part}, the complete download that becomes {@code target}. Never fails. */
  Future<Outcome> tag(RunContext ctx, Episode episode, Path part, String target) {
    var extension = extension(target);
    if (!enabled) {
      return !Tagger.supports(extension) ? Future.succeededFuture(new Outcome(false, null, null))
          : vertx.executeBlocking(() -> new Outcome(false, null, Tagger.length(part, extension)), false)
              .otherwise(new Outcome(false, null, null));
    }
    if (!Tagger.supports(extension)) {
      ctx.event(EventLevel.WARN, "episode " + episode.id() + ": ." + extension
          + " files cannot be tagged; the file is kept untagged");
      return Future.succeededFuture(new Outcome(false, null, null));
    }
    return cover(ctx, episode).compose(cover -> vertx.executeBlocking(() -> {
      var length = Tagger.tag(part, extension, new Tagger.Tags(episode.title(), episode.podcastTitle(),
          episode.podcastAuthor(), episode.published(), episode.episodeNumber(), episode.seasonNumber(),
          episode.description(), episode.guid(), episode.rssUrl(), cover == null ? null : cover.bytes(),
          cover == null ? null : cover.type()));
      return new Outcome(true, cover == null ? null : cover.from(), length);
    }, false)).recover(e -> {
      ctx.event(EventLevel.WARN, "episode " + episode.id() + ": " + (e instanceof Tagger.Untaggable
          ? e.getMessage() : "tagging failed (" + e.getMessage() + ")") + "; the file is kept untagged");
      return Future.succeededFuture(new Outcome(false, null, null));
    });
  }

  /** The artwork to embed: the episode's own image, else the podcast's cover, or none (each at most 1 MB). */
  private Future<Cover> cover(RunContext ctx, Episode episode) {
    Future<Cover> own = episode.imageUrl() == null ? Future.succeededFuture()
        : images.fetch(episode.imageUrl(), Images.MAX_EMBEDDED_BYTES, null, null)
            .map(image -> new Cover(image.bytes(), image.type(), "episode"))
            .recover(e -> {
              ctx.event(EventLevel.WARN, "episode " + episode.id() + ": its image is not embedded: "
                  + RunFailure.of(e).getMessage());
              return Future.succeededFuture();
            });
    return own.compose(cover -> cover != null || episode.coverPath() == null ? Future.succeededFuture(cover)
            : vertx.executeBlocking(() -> podcastCover(episode.coverPath()), false).otherwiseEmpty())
        // The podcast's cover may not be kept yet (its fetch_artwork was queued with this download): its image then.
        .compose(cover -> cover != null || episode.podcastImageUrl() == null ? Future.succeededFuture(cover)
            : images.fetch(episode.podcastImageUrl(), Images.MAX_EMBEDDED_BYTES, null, null)
                .map(image -> new Cover(image.bytes(), image.type(), "podcast"))
                .otherwiseEmpty());
  }

  private Cover podcastCover(String relative) throws java.io.IOException {
    var file = placement.resolve(relative);
    if (!Files.isRegularFile(file) || Files.size(file) > Images.MAX_EMBEDDED_BYTES) {
      return null;
    }
    var ext = extension(relative);
    var type = switch (ext) {
      case "png" -> "image/png";
      case "webp" -> "image/webp";
      case "gif" -> "image/gif";
      default -> "image/jpeg";
    };
    return new Cover(Files.readAllBytes(file), type, "podcast");
  }

  private static String extension(String path) {
    var name = Path.of(path).getFileName().toString();
    var dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
