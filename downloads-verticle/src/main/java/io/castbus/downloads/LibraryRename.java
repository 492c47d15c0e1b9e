package io.castbus.downloads;

import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.downloads.Episodes.Episode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Serves {@code rename_library}: after a naming template changed, moves the library's files to the names the
 * templates now give — one podcast ({@code {"podcast_id"}}) or all. Database paths and files move together: each
 * file's new name is recorded ({@code rename_to}) before it moves and becomes its {@code file_path} once it has,
 * so a crash half-way loses nothing and the next run finishes what was begun. A name already taken gets a unique
 * one ({@code … (2)}); the cover moves with its folder, and a folder left empty is removed.
 */
final class LibraryRename {

  private static final int PAGE = 200;

  private final Vertx vertx;
  private final Episodes episodes;
  private final Placement placement;

  /** What one run moved. */
  private static final class Tally {
    int files;
    int folders;
    int finished;
  }

  LibraryRename(Vertx vertx, Episodes episodes, Placement placement) {
    this.vertx = vertx;
    this.episodes = episodes;
    this.placement = placement;
  }

  Future<JsonObject> run(RunContext ctx) {
    var podcast = ctx.payload().getLong("podcast_id");
    var tally = new Tally();
    return podcasts(ctx, podcast, 0L, tally).map(v -> {
      var line = "renamed " + tally.files + " file(s), moved " + tally.folders + " folder(s)"
          + (tally.finished > 0 ? ", finished " + tally.finished + " rename(s) an earlier run had begun" : "");
      ctx.log(line);
      ctx.event(EventLevel.INFO, line);
      return new JsonObject().put("files_renamed", tally.files).put("folders_moved", tally.folders)
          .put("renames_finished", tally.finished);
    });
  }

  private Future<Void> podcasts(RunContext ctx, Long only, long after, Tally tally) {
    return episodes.podcastsToRename(only, after, PAGE).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (var id : ids) {
        chain = chain.compose(v -> ctx.isCancelled() ? Future.failedFuture(new IllegalStateException("cancelled"))
            : podcast(ctx, id, tally));
      }
      return ids.size() < PAGE ? chain : chain.compose(v -> podcasts(ctx, only, ids.get(ids.size() - 1), tally));
    });
  }

  private Future<Void> podcast(RunContext ctx, long id, Tally tally) {
    return finishPending(id, tally).compose(v -> episodes.naming(id)).compose(row -> {
      if (row == null || row.getString("folder") == null) {
        return Future.succeededFuture();
      }
      var old = row.getString("folder");
      var base = placement.folderBase(row.getString("podcast_title"), row.getString("author"),
          row.getString("folder_template"));
      Future<String> folder = sameName(old, base) ? Future.succeededFuture(old) : moveFolder(id, base, old);
      return folder.compose(now -> {
        if (!now.equals(old)) {
          tally.folders++;
          ctx.event(EventLevel.INFO, "podcast " + id + ": folder '" + old + "' becomes '" + now + "'");
        }
        return vertx.executeBlocking(() -> {
          placement.createFolder(now);
          return null;
        }, false).compose(x -> files(ctx, id, now, 0L, tally))
            .compose(x -> moveCover(id, row.getString("cover_path"), now))
            .compose(x -> now.equals(old) ? Future.succeededFuture() : removeIfEmpty(old));
      });
    });
  }

  /** The first free folder name for the podcast's new base; the old one when none is free. */
  private Future<String> moveFolder(long id, String base, String old) {
    Future<String> chain = Future.succeededFuture(null);
    for (var candidate : Placement.folderCandidates(base)) {
      chain = chain.compose(found -> found != null ? Future.succeededFuture(found)
          : sameName(old, candidate) ? Future.succeededFuture(old) : episodes.moveFolder(id, candidate));
    }
    return chain.map(found -> found == null ? old : found);
  }

  private static boolean sameName(String a, String b) {
    return a.equals(b);
  }

  private Future<Void> files(RunContext ctx, long podcast, String folder, long after, Tally tally) {
    return episodes.filesToName(podcast, after, PAGE).compose(page -> {
      Future<Void> chain = Future.succeededFuture();
      for (var episode : page) {
        chain = chain.compose(v -> file(ctx, episode, folder, tally));
      }
      return page.size() < PAGE ? chain
          : chain.compose(v -> files(ctx, podcast, folder, page.get(page.size() - 1).id(), tally));
    });
  }

  private Future<Void> file(RunContext ctx, Episode episode, String folder, Tally tally) {
    var candidates = placement.fileCandidates(episode, folder);
    return vertx.executeBlocking(() -> placement.takenOnDisk(candidates, episode.filePath()), false)
        .compose(onDisk -> episodes.planRename(episode, candidates, onDisk, placement.fallback(episode, folder)))
        .compose(target -> {
          if (target == null) {
            return Future.succeededFuture();
          }
          return vertx.executeBlocking(() -> {
            move(episode.filePath(), target);
            return null;
          }, false).compose(v -> episodes.renamed(episode.id())).map(v -> {
            tally.files++;
            ctx.log("moved " + episode.filePath() + " to " + target);
            return null;
          });
        });
  }

  /** Renames a crash left half-done: the file moved or not, the database follows it. */
  private Future<Void> finishPending(long podcast, Tally tally) {
    return episodes.pendingRenames(podcast).compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (var row : rows) {
        var id = row.getLong("id");
        var from = row.getString("file_path");
        var to = row.getString("rename_to");
        chain = chain.compose(v -> vertx.executeBlocking(() -> {
          var source = placement.resolve(from);
          var target = placement.resolve(to);
          if (Files.exists(target) && !Files.exists(source)) {
            return true;
          }
          if (Files.exists(source)) {
            move(from, to);
            return true;
          }
          return false;
        }, false).compose(moved -> {
          if (moved) {
            tally.finished++;
            return episodes.renamed(id);
          }
          return episodes.clearRename(id);
        }));
      }
      return chain;
    });
  }

  private void move(String from, String to) throws IOException {
    var source = placement.resolve(from);
    var target = placement.resolve(to);
    Files.createDirectories(target.getParent());
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
  }

  private Future<Void> moveCover(long podcast, String cover, String folder) {
    if (cover == null || Path.of(cover).getParent() != null && Path.of(cover).getParent().toString().equals(folder)) {
      return Future.succeededFuture();
    }
    var target = folder + "/" + Path.of(cover).getFileName();
    return vertx.executeBlocking(() -> {
      if (Files.exists(placement.resolve(cover))) {
        Files.move(placement.resolve(cover), placement.resolve(target), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
      return null;
    }, false).compose(v -> episodes.moveCover(podcast, target));
  }

  private Future<Void> removeIfEmpty(String folder) {
    return vertx.executeBlocking(() -> {
      var dir = placement.resolve(folder);
      if (Files.isDirectory(dir)) {
        try (var entries = Files.list(dir)) {
          if (entries.findAny().isEmpty()) {
            Files.delete(dir);
          }
        }
      }
      return null;
    }, false);
  }
}
