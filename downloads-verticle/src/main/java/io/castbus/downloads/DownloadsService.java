package io.castbus.downloads;

import io.castbus.common.RunTypes;
import io.castbus.common.ServiceError;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Set;

/**
 * The downloads API over the event bus — the list with progress, a download asked for by a person — and the
 * {@code process_downloads} job, the safety net that queues a download for every wanted episode without one.
 */
final class DownloadsService {

  static final Set<String> STATUSES = Set.of("none", "pending", "downloading", "completed", "failed", "deleted");
  static final int MAX_LIMIT = 500;
  private static final int SWEEP_PAGE = 1_000;

  private final RunQueue queue;
  private final Episodes episodes;

  DownloadsService(RunQueue queue, Episodes episodes) {
    this.queue = queue;
    this.episodes = episodes;
  }

  /** {@code {"status", "podcast", "limit", "owner_id", "admin"}} → {@code {"total", "downloads"}}, newest change first. */
  Future<JsonObject> list(JsonObject q) {
    var status = q.getString("status");
    if (status != null && !STATUSES.contains(status)) {
      return Future.failedFuture(ServiceError.badRequest("status must be one of " + STATUSES + ", got '" + status
          + "'"));
    }
    var podcast = q.getValue("podcast") == null ? null : number(q.getValue("podcast"), "podcast");
    var limit = q.getInteger("limit", 100);
    if (limit < 1 || limit > MAX_LIMIT) {
      return Future.failedFuture(ServiceError.badRequest("limit must be between 1 and " + MAX_LIMIT));
    }
    var admin = q.getBoolean("admin", false);
    var owner = q.getLong("owner_id");
    var pool = queue.pool();
    var count = pool.preparedQuery(DownloadsSql.COUNT).execute(Tuple.of(status, podcast, admin, owner));
    var page = pool.preparedQuery(DownloadsSql.PAGE).execute(Tuple.from(new Object[] {
        status, podcast, admin, owner, RunTypes.DOWNLOAD_EPISODE, limit}));
    return Future.all(count, page).map(v -> {
      var downloads = new JsonArray();
      page.result().forEach(row -> downloads.add(download(row)));
      return new JsonObject().put("total", count.result().iterator().next().getLong(0)).put("downloads", downloads);
    });
  }

  /** {@code {"id", "owner", "admin"}} → {@code {"run_id", "episode_id"}}: the episode is wanted again, whatever it
   * was. */
  Future<JsonObject> requestDownload(JsonObject q) {
    var id = number(q.getValue("id"), "episode id");
    var admin = q.getBoolean("admin", false);
    var owner = q.getString("owner");
    var ownerId = q.getLong("owner_id");
    var pool = queue.pool();
    return pool.preparedQuery(DownloadsSql.EPISODE_FOR_REQUEST).execute(Tuple.of(id, admin, ownerId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ServiceError.notFound("no episode with id " + id));
      }
      var row = rows.iterator().next();
      if (row.getString("enclosure_url") == null) {
        return Future.failedFuture(ServiceError.conflict("episode " + id + " has no enclosure to download"));
      }
      return pool.preparedQuery(DownloadsSql.WANT).execute(Tuple.of(id))
          .compose(v -> queue.enqueue(owner == null
              ? RunTypes.download(id).owner(row.getString("owner"), row.getLong("owner_id"))
              : RunTypes.download(id).owner(owner, ownerId)))
          .map(runId -> new JsonObject().put("run_id", runId.toString()).put("episode_id", id));
    });
  }

  /** Queues a download for each wanted episode (pending, or left downloading by a crash) that has none active. */
  Future<JsonObject> processQueue(RunContext ctx) {
    return sweep(0, 0).map(queued -> {
      var line = "queued " + queued + " download(s) for pending episodes without one";
      ctx.log(line);
      ctx.event(EventLevel.INFO, line);
      return new JsonObject().put("queued", queued);
    });
  }

  private Future<Integer> sweep(long afterId, int queued) {
    return episodes.wantedWithoutRun(afterId, SWEEP_PAGE).compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture(queued);
      }
      var runs = page.stream().map(w -> RunTypes.download(w.episode()).owner(w.owner(), w.ownerId())).toList();
      var last = page.get(page.size() - 1).episode();
      return queue.enqueueAll(runs).compose(ids -> page.size() < SWEEP_PAGE
          ? Future.succeededFuture(queued + ids.size())
          : sweep(last, queued + ids.size()));
    });
  }

  private static JsonObject download(Row row) {
    var status = row.getString("download_status");
    var progress = row.getJsonObject("progress");
    Long done = progress == null ? null : progress.getLong("current");
    Long total = progress == null ? null : progress.getLong("total");
    if (status.equals("completed")) {
      done = row.getLong("bytes");
      total = done;
    }
    var percent = done != null && total != null && total > 0 ? Math.min(100.0, Math.floor(done * 1000.0 / total) / 10)
        : null;
    var runId = row.getUUID("run_id");
    return new JsonObject()
        .put("episode_id", row.getLong("id"))
        .put("episode", row.getString("title"))
        .put("podcast_id", row.getLong("podcast_id"))
        .put("podcast", row.getString("podcast"))
        .put("status", status)
        .put("progress", new JsonObject().put("bytes_done", done).put("bytes_total", total).put("percent", percent))
        .put("run_id", runId == null ? null : runId.toString())
        .put("run_status", row.getString("run_status"))
        .put("attempts", row.getInteger("attempts"))
        .put("error", row.getString("download_error"))
        .put("file_path", row.getString("file_path"))
        .put("bytes", row.getLong("bytes"))
        .put("enclosure_url", row.getString("enclosure_url"))
        .put("downloaded_at", row.getOffsetDateTime("downloaded_at") == null ? null
            : row.getOffsetDateTime("downloaded_at").toInstant().toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  private static long number(Object value, String what) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw ServiceError.badRequest(what + " must be a whole number, got '" + value + "'");
    }
  }
}
