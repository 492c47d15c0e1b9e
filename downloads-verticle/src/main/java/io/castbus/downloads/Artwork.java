package io.castbus.downloads;

import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonObject;

/**
 * Serves {@code fetch_artwork}, queued by every refresh that read a feed with artwork: the podcast's image
 * ({@code itunes:image}, else the RSS image) kept as {@code cover.<ext>} in the podcast's folder, the name Plex,
 * Jellyfin and Audiobookshelf look for. The image is fetched conditionally, so an unchanged one is not fetched
 * again. A missing or broken image is a warning on the run, never a failure: the podcast keeps the cover it had.
 */
final class Artwork {

  static final String COVER = "cover";

  private final Vertx vertx;
  private final Episodes episodes;
  private final Placement placement;
  private final Images images;

  Artwork(Vertx vertx, Episodes episodes, Placement placement, Images images) {
    this.vertx = vertx;
    this.episodes = episodes;
    this.placement = placement;
    this.images = images;
  }

  Future<JsonObject> fetch(RunContext ctx) {
    var id = ctx.payload().getValue("podcast_id");
    if (!(id instanceof Number number)) {
      return Future.failedFuture(RunFailure.permanent("bad_payload", "fetch_artwork needs a numeric podcast_id, got "
          + ctx.payload().encode()));
    }
    var podcastId = number.longValue();
    return episodes.cover(podcastId).compose(cover -> {
      var result = new JsonObject().put("podcast_id", podcastId);
      if (cover == null) {
        ctx.event(EventLevel.INFO, "podcast " + podcastId + " no longer exists");
        return Future.succeededFuture(result.put("skipped", "no podcast"));
      }
      if (cover.imageUrl() == null) {
        ctx.event(EventLevel.INFO, "podcast " + podcastId + "'s feed names no image");
        return Future.succeededFuture(result.put("skipped", "no image"));
      }
      var same = cover.imageUrl().equals(cover.source()) && cover.path() != null;
      return kept(cover).compose(present -> {
        var conditional = same && present;
        return images.fetch(cover.imageUrl(), Images.MAX_COVER_BYTES, conditional ? cover.etag() : null,
                conditional ? cover.lastModified() : null)
            .compose(image -> {
              if (image.notModified()) {
                ctx.event(EventLevel.INFO, "the cover of podcast " + podcastId + " is unchanged (" + cover.path() + ")");
                return Future.succeededFuture(result.put("cover_path", cover.path()).put("not_modified", true));
              }
              return store(cover, image).map(path -> {
                var line = "stored the cover of podcast " + podcastId + " as " + path + " ("
                    + Transfer.size(image.bytes().length) + ", " + image.type() + ")";
                ctx.log(line);
                ctx.event(EventLevel.INFO, line);
                return result.put("cover_path", path).put("not_modified", false).put("bytes", image.bytes().length);
              });
            })
            .recover(e -> {
              var why = RunFailure.of(e);
              ctx.event(EventLevel.WARN, "the cover of podcast " + podcastId + " could not be fetched: "
                  + why.getMessage() + (cover.path() != null ? "; keeping " + cover.path() : ""),
                  new JsonObject().put("podcast_id", podcastId).put("code", why.code()));
              return Future.succeededFuture(result.put("warning", why.getMessage()).put("code", why.code()));
            });
      });
    });
  }

  /** Whether the cover the database names is still on disk. */
  private Future<Boolean> kept(Episodes.Cover cover) {
    if (cover.path() == null) {
      return Future.succeededFuture(false);
    }
    try {
      return vertx.fileSystem().exists(placement.resolve(cover.path()).toString());
    } catch (RunFailure unsafe) {
      return Future.succeededFuture(false);
    }
  }

  /** Writes the image next to its final name, moves it into place, then drops a cover of another type. */
  private Future<String> store(Episodes.Cover cover, Images.Image image) {
    var base = placement.folderBase(cover.podcastTitle(), cover.author(), cover.folderTemplate());
    return placement.folderCreated(cover.podcastId(), base, cover.folder()).compose(folder -> {
      var path = folder + "/" + COVER + "." + image.extension();
      var file = placement.resolve(path).toString();
      var part = file + FileNames.PART;
      var fs = vertx.fileSystem();
      return fs.writeFile(part, Buffer.buffer(image.bytes()))
          .compose(v -> fs.move(part, file, new CopyOptions().setAtomicMove(true).setReplaceExisting(true)))
          .compose(v -> cover.path() != null && !cover.path().equals(path) ? deleteQuietly(cover.path())
              : Future.succeededFuture())
          .compose(v -> episodes.saveCover(cover.podcastId(), path, cover.imageUrl(), image.etag(),
              image.lastModified()))
          .map(path);
    });
  }

  private Future<Void> deleteQuietly(String relative) {
    try {
      var file = placement.resolve(relative).toString();
      return vertx.fileSystem().delete(file).otherwiseEmpty();
    } catch (RunFailure unsafe) {
      return Future.succeededFuture();
    }
  }
}
