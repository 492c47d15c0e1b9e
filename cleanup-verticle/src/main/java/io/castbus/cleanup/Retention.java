package io.castbus.cleanup;

import io.castbus.common.ops.Meters;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cleanup_episodes}: per podcast, keeps what any of its subscriptions keeps — the newest
 * {@code max_episodes_to_keep} downloaded episodes (by publication date; episodes marked {@code keep} are exempt and
 * do not count), those published within {@code retention_days}, or all — and deletes the files of the others,
 * marks them {@code deleted} so no refresh queues them again, and removes folders left empty. A file is deleted
 * before its episode is marked, so a crash in between is finished by the next run (the file is then missing, and
 * the episode is marked). With {@code dry_run} it only lists what would go.
 */
final class Retention {

  static final int BATCH = 10_000;
  /** Worker threads deleting one batch at once. */
  static final int PARALLEL = 4;

  private final Vertx vertx;
  private final Pool pool;
  private final Library library;
  private final io.castbus.common.LibraryChanges changes;

  Retention(Vertx vertx, Pool pool, Library library, io.castbus.common.LibraryChanges changes) {
    this.vertx = vertx;
    this.pool = pool;
    this.library = library;
    this.changes = changes;
  }

  private record Candidate(long id, long podcastId, String podcast, String title, String path, Long bytes) {
    static Candidate of(Row row) {
      return new Candidate(row.getLong("id"), row.getLong("podcast_id"), row.getString("podcast"),
          row.getString("title"), row.getString("file_path"), row.getLong("bytes"));
    }
  }

  /** Totals for one podcast. */
  private static final class Tally {
    final long podcastId;
    final String podcast;
    int files;
    long bytes;
    final JsonArray episodes = new JsonArray();

    Tally(long podcastId, String podcast) {
      this.podcastId = podcastId;
      this.podcast = podcast;
    }

    JsonObject toJson(boolean dryRun) {
      var json = new JsonObject().put("podcast_id", podcastId).put("podcast", podcast)
          .put(dryRun ? "files_to_delete" : "files_deleted", files)
          .put(dryRun ? "bytes_to_free" : "bytes_freed", bytes);
      return dryRun ? json.put("episodes", episodes) : json;
    }
  }

  private static final class Totals {
    final Map<Long, Tally> podcasts = new LinkedHashMap<>();
    final JsonArray refused = new JsonArray();
    final List<Long> skip = new ArrayList<>();
    int folders;

    Tally of(Candidate c) {
      return podcasts.computeIfAbsent(c.podcastId(), id -> new Tally(id, c.podcast()));
    }
  }

  Future<JsonObject> run(RunContext ctx) {
    var dryRun = ctx.payload().getBoolean("dry_run", false);
    var totals = new Totals();
    ctx.event(EventLevel.INFO, dryRun ? "dry run: listing what retention would delete" : "applying retention");
    return pass(ctx, dryRun, totals).compose(v -> {
      var deleted = !dryRun && totals.podcasts.values().stream().anyMatch(t -> t.files > 0);
      // Media servers are told to scan once the files are gone.
      return (deleted ? changes.changed() : Future.<Void>succeededFuture()).map(x -> report(ctx, dryRun, totals));
    });
  }

  private Future<Void> pass(RunContext ctx, boolean dryRun, Totals totals) {
    if (ctx.isCancelled()) {
      return Future.failedFuture(new IllegalStateException("cancelled"));
    }
    return pool.preparedQuery(CleanupSql.BEYOND_RETENTION)
        .execute(Tuple.of(totals.skip.toArray(new Long[0]), BATCH))
        .compose(rows -> {
          var batch = new ArrayList<Candidate>();
          rows.forEach(row -> batch.add(Candidate.of(row)));
          if (batch.isEmpty()) {
            return Future.succeededFuture();
          }
          if (dryRun) {
            for (var c : batch) {
              var tally = totals.of(c);
              tally.files++;
              tally.bytes += c.bytes() == null ? 0 : c.bytes();
              tally.episodes.add(new JsonObject().put("id", c.id()).put("title", c.title()).put("file", c.path()));
              totals.skip.add(c.id());
            }
            return pass(ctx, true, totals);
          }
          return deleteFiles(batch, totals)
              .compose(gone -> gone.isEmpty() ? Future.succeededFuture()
                  : pool.preparedQuery(CleanupSql.MARK_DELETED)
                      .execute(Tuple.of((Object) gone.toArray(new Long[0]))).mapEmpty())
              .compose(v -> {
                var done = totals.podcasts.values().stream().mapToInt(t -> t.files).sum();
                ctx.progress(done, null, "deleted " + done + " file(s)");
                return pass(ctx, false, totals);
              });
        });
  }

  /**
   * Deletes the batch's files, its podcasts' folders spread over {@value #PARALLEL} worker threads at once (the
   * file system takes unlinks in different directories side by side), then tallies what each found on the event
   * loop; returns the episodes whose file is now gone.
   */
  private Future<List<Long>> deleteFiles(List<Candidate> batch, Totals totals) {
    var groups = new ArrayList<List<Candidate>>();
    for (var i = 0; i < PARALLEL; i++) {
      groups.add(new ArrayList<>());
    }
    for (var c : batch) {
      groups.get(Math.floorMod(Long.hashCode(c.podcastId()), PARALLEL)).add(c);
    }
    var deletions = groups.stream().filter(g -> !g.isEmpty())
        .map(group -> vertx.executeBlocking(() -> deleteGroup(group), false)).toList();
    return Future.all(deletions).map(all -> {
      var gone = new ArrayList<Long>();
      for (var i = 0; i < all.size(); i++) {
        Deletion deletion = all.resultAt(i);
        totals.folders += deletion.folders();
        for (var done : deletion.outcomes()) {
          var c = done.candidate();
          if (done.outcome() instanceof Library.Deleted deleted) {
            var tally = totals.of(c);
            tally.files++;
            tally.bytes += deleted.bytes();
            gone.add(c.id());
          } else if (done.outcome() instanceof Library.Missing) {
            gone.add(c.id());
          } else if (done.outcome() instanceof Library.Refused refused) {
            totals.refused.add(new JsonObject().put("episode_id", c.id()).put("reason", refused.reason()));
            totals.skip.add(c.id());
          }
        }
      }
      return gone;
    });
  }

  private record Done(Candidate candidate, Library.Outcome outcome) {
  }

  private record Deletion(List<Done> outcomes, int folders) {
  }

  /** One group's files on one worker thread: a scope of its own, so nothing is shared between threads. */
  private Deletion deleteGroup(List<Candidate> group) throws java.io.IOException {
    var scope = library.open();
    var outcomes = new ArrayList<Done>(group.size());
    for (var c : group) {
      outcomes.add(new Done(c, scope.delete(c.path())));
    }
    return new Deletion(outcomes, scope.removeEmptyFolders());
  }

  private JsonObject report(RunContext ctx, boolean dryRun, Totals totals) {
    var podcasts = new JsonArray();
    var files = 0;
    var bytes = 0L;
    for (var tally : totals.podcasts.values()) {
      podcasts.add(tally.toJson(dryRun));
      files += tally.files;
      bytes += tally.bytes;
      var line = (dryRun ? "would delete " : "deleted ") + tally.files + " file(s) of '" + tally.podcast + "', "
          + (dryRun ? "freeing " : "freed ") + Bytes.human(tally.bytes);
      ctx.log(line);
      ctx.event(EventLevel.INFO, line, tally.toJson(false).put("dry_run", dryRun));
    }
    for (var refused : totals.refused) {
      var r = (JsonObject) refused;
      ctx.event(EventLevel.WARN, "left episode " + r.getLong("episode_id") + " alone: " + r.getString("reason"), r);
    }
    var summary = (dryRun ? "dry run: would delete " : "deleted ") + files + " file(s), "
        + (dryRun ? "freeing " : "freed ") + Bytes.human(bytes)
        + (dryRun ? "" : ", removed " + totals.folders + " empty folder(s)");
    ctx.log(summary);
    ctx.event(EventLevel.INFO, summary);
    if (!dryRun) {
      Meters.count("castbus_cleanup_files_deleted", "Episode files deleted by retention", files);
      Meters.count("castbus_cleanup_bytes_freed", "Bytes freed by retention", bytes);
    }
    var result = new JsonObject().put("dry_run", dryRun).put("podcasts", podcasts).put("refused", totals.refused);
    return dryRun
        ? result.put("files_to_delete", files).put("bytes_to_free", bytes)
        : result.put("files_deleted", files).put("bytes_freed", bytes).put("folders_removed", totals.folders);
  }
}
