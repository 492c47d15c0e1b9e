package io.castbus.cleanup;

import io.castbus.common.RunTypes;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code scan_library}: makes the database and the disk agree. Downloaded episodes whose file is gone become
 * {@code failed} with the reason, or {@code pending} and queued again when they are inside their podcast's
 * retention; files under {@code DOWNLOAD_DIR} that no episode owns are reported (deleted only with
 * {@code delete_orphans}); partial downloads ({@code .part}) untouched for a day with no download running in their
 * folder are removed.
 */
final class LibraryScan {

  static final int PAGE = 1_000;
  static final int LISTED = 100;
  static final Duration STALE_PART = Duration.ofDays(1);

  private final Vertx vertx;
  private final Pool pool;
  private final RunQueue queue;
  private final Library library;

  LibraryScan(Vertx vertx, Pool pool, Library library) {
    this.vertx = vertx;
    this.pool = pool;
    this.queue = new RunQueue(vertx, pool);
    this.library = library;
  }

  private record Checked(long id, String path, boolean inRetention, boolean missing) {
  }

  Future<JsonObject> run(RunContext ctx) {
    var deleteOrphans = ctx.payload().getBoolean("delete_orphans", false);
    var result = new JsonObject().put("missing_failed", 0).put("missing_requeued", 0);
    return missingFiles(ctx, 0L, result)
        .compose(v -> ownedPaths(0L, new HashSet<>()))
        .compose(owned -> activeFolders().compose(active -> vertx.executeBlocking(
            () -> walk(owned, active, deleteOrphans), false)))
        .map(walk -> {
          result.mergeIn(walk);
          var summary = "missing files: " + result.getInteger("missing_requeued") + " queued again, "
              + result.getInteger("missing_failed") + " marked failed; orphan files: " + walk.getInteger("orphans")
              + (deleteOrphans ? " (deleted)" : " (left in place)") + "; stale partial downloads removed: "
              + walk.getInteger("stale_parts_removed");
          ctx.log(summary);
          ctx.event(EventLevel.INFO, summary, walk.copy().put("orphan_files", null));
          return result;
        });
  }

  private Future<Void> missingFiles(RunContext ctx, long after, JsonObject result) {
    return pool.preparedQuery(CleanupSql.COMPLETED_PAGE).execute(Tuple.of(after, PAGE)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      var page = new ArrayList<Checked>();
      rows.forEach(r -> page.add(new Checked(r.getLong("id"), r.getString("file_path"),
          r.getBoolean("in_retention"), false)));
      var last = page.get(page.size() - 1).id();
      return vertx.executeBlocking(() -> check(page), false)
          .compose(missing -> markMissing(ctx, missing, result))
          .compose(v -> missingFiles(ctx, last, result));
    });
  }

  private List<Checked> check(List<Checked> page) throws IOException {
    var missing = new ArrayList<Checked>();
    var scope = library.open();
    for (var c : page) {
      if (scope.locate(c.path()) instanceof Library.Missing) {
        missing.add(new Checked(c.id(), c.path(), c.inRetention(), true));
      }
    }
    return missing;
  }

  private Future<Void> markMissing(RunContext ctx, List<Checked> missing, JsonObject result) {
    Future<Void> chain = Future.succeededFuture();
    for (var c : missing) {
      var reason = "the downloaded file is missing from the library: " + c.path();
      var status = c.inRetention() ? "pending" : "failed";
      chain = chain.compose(v -> pool.preparedQuery(CleanupSql.MARK_MISSING).execute(Tuple.of(c.id(), status, reason)))
          .compose(v -> c.inRetention()
              ? queue.enqueue(RunTypes.download(c.id())).mapEmpty()
              : Future.<Void>succeededFuture())
          .onSuccess(v -> {
            var key = c.inRetention() ? "missing_requeued" : "missing_failed";
            result.put(key, result.getInteger(key) + 1);
            ctx.event(EventLevel.WARN, "episode " + c.id() + ": " + reason
                + (c.inRetention() ? "; queued for download again" : "; marked failed"),
                new JsonObject().put("episode_id", c.id()).put("file", c.path()));
          });
    }
    return chain;
  }

  private Future<Set<Path>> ownedPaths(long after, Set<Path> owned) {
    return pool.preparedQuery(CleanupSql.OWNED_PATHS_IDS).execute(Tuple.of(after, 10_000)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(owned);
      }
      long last = after;
      for (var row : rows) {
        var stored = Path.of(row.getString("file_path"));
        owned.add((stored.isAbsolute() ? stored : library.root().resolve(stored)).normalize());
        last = row.getLong("id");
      }
      return ownedPaths(last, owned);
    });
  }

  private Future<Set<String>> activeFolders() {
    return pool.preparedQuery(CleanupSql.ACTIVE_DOWNLOAD_FOLDERS).execute(Tuple.of(RunTypes.DOWNLOAD_EPISODE)).map(rows -> {
      var folders = new HashSet<String>();
      rows.forEach(r -> folders.add(r.getString("folder")));
      return folders;
    });
  }

  /** Walks the library without following links: orphans and stale partial files. */
  private JsonObject walk(Set<Path> owned, Set<String> activeFolders, boolean deleteOrphans) throws IOException {
    var real = library.realRoot();
    var orphans = new JsonArray();
    var counts = new long[3];
    if (real != null) {
      var ownedReal = new HashSet<Path>();
      for (var path : owned) {
        ownedReal.add(path.startsWith(library.root()) ? real.resolve(library.root().relativize(path)) : path);
      }
      var staleBefore = Instant.now().minus(STALE_PART);
      Files.walkFileTree(real, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          if (!attrs.isRegularFile()) {
            return FileVisitResult.CONTINUE;
          }
          var name = file.getFileName().toString();
          if (name.endsWith(".part")) {
            var folder = real.relativize(file.getParent()).toString();
            if (attrs.lastModifiedTime().toInstant().isBefore(staleBefore) && !activeFolders.contains(folder)) {
              Files.deleteIfExists(file);
              counts[2]++;
            }
          } else if (!ownedReal.contains(file)) {
            counts[0]++;
            if (orphans.size() < LISTED) {
              orphans.add(real.relativize(file).toString());
            }
            if (deleteOrphans) {
              Files.deleteIfExists(file);
              counts[1]++;
            }
          }
          return FileVisitResult.CONTINUE;
        }
      });
    }
    return new JsonObject().put("orphans", (int) counts[0]).put("orphan_files", orphans)
        .put("orphans_deleted", (int) counts[1]).put("stale_parts_removed", (int) counts[2]);
  }
}
