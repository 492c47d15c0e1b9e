package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import io.castbus.common.RunTypes;
import io.castbus.common.PageCursor;
import io.castbus.common.ServiceError;
import io.castbus.common.files.NameTemplate;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.queue.Priority;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The podcast and episode API behind the gateway (SPEC §3). Requests carry the caller as {@code owner} and
 * {@code admin}: a user sees and changes only their own podcasts, and what is not theirs is answered as not found.
 */
final class PodcastService {

  static final int MAX_PODCASTS = 10_000;
  static final int MAX_FILES = 100_000;

  private final Vertx vertx;
  private final Pool pool;
  private final RunQueue queue;
  private final Refresher refresher;
  private final Path downloadDir;
  private final io.castbus.common.LibraryChanges changes;

  PodcastService(Vertx vertx, Pool pool, RunQueue queue, Refresher refresher, Path downloadDir,
      io.castbus.common.LibraryChanges changes) {
    this.vertx = vertx;
    this.pool = pool;
    this.queue = queue;
    this.refresher = refresher;
    this.downloadDir = downloadDir;
    this.changes = changes;
  }

  /** Fetches and parses the feed at once; stores nothing unless it reads. */
  Future<JsonObject> add(JsonObject req) {
    String url;
    try {
      url = NetworkPolicy.parse(req.getString("rss_url")).toString();
    } catch (NetworkPolicy.Refused e) {
      return Future.failedFuture(ServiceError.badRequest("rss_url: " + e.getMessage()));
    }
    var keep = req.getInteger("max_episodes_to_keep", 5);
    if (keep < 1 || keep > 100) {
      return Future.failedFuture(ServiceError.badRequest("max_episodes_to_keep must be between 1 and 100, got "
          + keep));
    }
    var autoDownload = req.getBoolean("auto_download", true);
    var owner = req.getString("owner");
    return pool.preparedQuery(FeedsSql.PODCAST_BY_URL).execute(Tuple.of(url)).compose(existing -> {
      if (existing.size() > 0) {
        return Future.failedFuture(alreadyAdded(url));
      }
      return refresher.read(url, FeedFetcher.Validators.NONE, true)
          .recover(e -> Future.failedFuture(e instanceof RunFailure f
              ? new ServiceError(400, f.code(), "the feed at " + url + " cannot be added: " + f.getMessage()) : e))
          .compose(read -> {
            var inserted = pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.INSERT_PODCAST)
                .execute(Tuple.of(owner, url, keep, autoDownload, req.getLong("owner_id"))).compose(rows -> {
                  if (rows.size() == 0) {
                    return Future.failedFuture(alreadyAdded(url));
                  }
                  var podcast = new Podcast(rows.iterator().next().getLong("id"), owner, req.getLong("owner_id"),
                      url, keep, autoDownload, null, null, false);
                  return EpisodeStore.store(conn, podcast, read.feed(), read.fetched(), read.movedTo())
                      .map(stored -> new Added(podcast.id(), stored));
                }));
            return inserted.compose(added -> {
              queue.wake(added.stored().queuedTypes());
              return podcast(added.id()).map(json -> json.put("refresh", added.stored().toJson()));
            });
          });
    });
  }

  Future<JsonObject> list(JsonObject req) {
    return pool.preparedQuery(FeedsSql.PODCASTS).execute(Tuple.of(visibleTo(req), 0L, MAX_PODCASTS)).map(rows -> {
      var podcasts = new JsonArray();
      rows.forEach(row -> podcasts.add(FeedsJson.podcast(row)));
      return new JsonObject().put("podcasts", podcasts);
    });
  }

  Future<JsonObject> get(JsonObject req) {
    return visible(req, id(req, "id")).map(FeedsJson::podcast);
  }

  /** Where the podcast's cover is kept (relative to DOWNLOAD_DIR); not found until it has been fetched. */
  Future<JsonObject> cover(JsonObject req) {
    var id = id(req, "id");
    return visible(req, id).compose(row -> row.getString("cover_path") == null
        ? Future.failedFuture(ServiceError.notFound("podcast " + id + " has no cover yet"))
        : Future.succeededFuture(new JsonObject().put("cover_path", row.getString("cover_path"))));
  }

  Future<JsonObject> update(JsonObject req) {
    var id = id(req, "id");
    var keep = req.getInteger("max_episodes_to_keep");
    if (keep != null && (keep < 1 || keep > 100)) {
      return Future.failedFuture(ServiceError.badRequest("max_episodes_to_keep must be between 1 and 100, got "
          + keep));
    }
    var templates = new String[2];
    var given = new boolean[2];
    var names = new String[] {"folder_template", "file_template"};
    for (var i = 0; i < 2; i++) {
      if (!req.containsKey(names[i])) {
        continue;
      }
      if (!req.getBoolean("admin", false)) {
        return Future.failedFuture(new ServiceError(403, "forbidden", names[i] + " can be changed by an admin only:"
            + " file names belong to the files, which every subscriber of the feed shares"));
      }
      given[i] = true;
      var text = FeedParser.trim(req.getString(names[i]));
      if (text != null) {
        try {
          templates[i] = NameTemplate.parse(names[i], text, i == 0).text();
        } catch (IllegalArgumentException e) {
          return Future.failedFuture(ServiceError.badRequest(e.getMessage()));
        }
      }
    }
    return visible(req, id)
        .compose(row -> pool.preparedQuery(FeedsSql.UPDATE_PODCAST).execute(Tuple.from(new Object[] {id, keep,
            req.getBoolean("auto_download"), FeedParser.trim(req.getString("title")), given[0], templates[0],
            given[1], templates[1]}))
            .compose(v -> {
              var changed = (given[0] && !java.util.Objects.equals(templates[0], row.getString("folder_template")))
                  || (given[1] && !java.util.Objects.equals(templates[1], row.getString("file_template")));
              // The files move to their new names in a rename_library run.
              return changed ? queue.enqueue(RunTypes.rename(id)).<Void>mapEmpty() : Future.<Void>succeededFuture();
            }))
        .compose(v -> podcast(id));
  }

  /** Deletes the podcast and its episodes; with {@code delete_files} also their files under DOWNLOAD_DIR. */
  Future<JsonObject> delete(JsonObject req) {
    var id = id(req, "id");
    var deleteFiles = req.getBoolean("delete_files", false);
    return visible(req, id).compose(row -> {
      var folder = row.getString("folder");
      Future<Integer> files = !deleteFiles ? Future.succeededFuture(0)
          : pool.preparedQuery(FeedsSql.EPISODE_FILES).execute(Tuple.of(id, MAX_FILES)).compose(paths -> {
            var list = new ArrayList<String>();
            paths.forEach(p -> list.add(p.getString("file_path")));
            return vertx.executeBlocking(() -> deleteFiles(list, folder), false);
          });
      return files.compose(n -> pool.preparedQuery(FeedsSql.DELETE_PODCAST).execute(Tuple.of(id))
          .compose(v -> n > 0 ? changes.changed() : Future.<Void>succeededFuture())
          .map(v -> new JsonObject().put("deleted", true).put("id", id).put("files_deleted", n)));
    });
  }

  Future<JsonObject> refresh(JsonObject req) {
    var id = id(req, "id");
    return visible(req, id)
        .compose(row -> queue.enqueue(RunTypes.refresh(id).owner(req.getString("owner"), req.getLong("owner_id")).priority(Priority.HIGH)))
        .map(runId -> new JsonObject().put("run_id", runId.toString()).put("podcast_id", id));
  }

  /** A podcast's episodes, newest first, a page at a time; the cursor is opaque to clients. */
  Future<JsonObject> episodes(JsonObject req) {
    var id = id(req, "podcast_id");
    var limit = req.getInteger("limit", 50);
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(ServiceError.badRequest("limit must be between 1 and 500, got " + limit));
    }
    var text = req.getString("cursor");
    var cursor = text == null || text.isBlank() ? null : PageCursor.decode(text);
    var afterId = cursor == null ? null : cursor.number();
    return visible(req, id).compose(row -> pool.preparedQuery(FeedsSql.EPISODES_PAGE)
        .execute(Tuple.of(id, cursor == null ? null : cursor.at(), afterId, limit + 1))
        .compose(rows -> pool.preparedQuery(FeedsSql.EPISODE_COUNT).execute(Tuple.of(id)).map(count -> {
          var episodes = new JsonArray();
          Row last = null;
          for (var r : rows) {
            if (episodes.size() == limit) {
              break;
            }
            episodes.add(FeedsJson.episode(r));
            last = r;
          }
          var next = rows.size() > limit && last != null
              ? PageCursor.of(last.getOffsetDateTime("published_at"), last.getLong("id")).encode() : null;
          return new JsonObject().put("episodes", episodes).put("total", count.iterator().next().getLong(0))
              .put("next_cursor", next).put("owner_id", row.getLong("owner_id"));
        })));
  }

  Future<JsonObject> updateEpisode(JsonObject req) {
    var id = id(req, "id");
    var keep = req.getBoolean("keep");
    if (keep == null) {
      return Future.failedFuture(ServiceError.badRequest("keep (true or false) is required"));
    }
    return episode(req, id)
        .compose(row -> pool.preparedQuery(FeedsSql.UPDATE_EPISODE).execute(Tuple.of(id, keep)))
        .compose(v -> episode(req, id))
        .map(FeedsJson::episode);
  }

  /** Adds every feed of an OPML list not yet subscribed and queues a refresh of each. */
  Future<JsonObject> importOpml(JsonObject req) {
    var bytes = req.getBinary("opml");
    var charset = req.getString("charset");
    var owner = req.getString("owner");
    return vertx.executeBlocking(() -> Opml.read(bytes, charset), false)
        .recover(e -> Future.failedFuture(e instanceof RunFailure f ? new ServiceError(400, f.code(),
            f.getMessage()) : e))
        .compose(read -> {
          var rows = new JsonArray();
          read.feeds().forEach(f -> rows.add(new JsonObject().put("rss_url", f.xmlUrl()).put("title", f.title())
              .put("site_url", f.htmlUrl())));
          return pool.preparedQuery(FeedsSql.IMPORT_PODCASTS).execute(Tuple.of(owner, rows, req.getLong("owner_id"))).compose(inserted -> {
            var podcasts = new JsonArray();
            var runs = new ArrayList<io.castbus.common.queue.NewRun>();
            inserted.forEach(r -> {
              podcasts.add(new JsonObject().put("id", r.getLong("id")).put("rss_url", r.getString("rss_url")));
              runs.add(RunTypes.refresh(r.getLong("id")).owner(owner, req.getLong("owner_id")));
            });
            return queue.enqueueAll(runs).map(ids -> new JsonObject()
                .put("imported", inserted.size())
                .put("existing", read.feeds().size() - inserted.size())
                .put("invalid", new JsonArray(new ArrayList<>(read.invalid())))
                .put("podcasts", podcasts));
          });
        });
  }

  Future<JsonObject> exportOpml(JsonObject req) {
    return pool.preparedQuery(FeedsSql.PODCASTS).execute(Tuple.of(visibleTo(req), 0L, MAX_PODCASTS)).map(rows -> {
      var feeds = new ArrayList<Opml.Outline>();
      rows.forEach(r -> feeds.add(new Opml.Outline(r.getString("title"), r.getString("rss_url"),
          r.getString("site_url"))));
      return new JsonObject().put("opml", Opml.write("Castbus podcasts", feeds)).put("count", feeds.size());
    });
  }

  private Future<JsonObject> podcast(long id) {
    return pool.preparedQuery(FeedsSql.PODCAST).execute(Tuple.of(id))
        .map(rows -> FeedsJson.podcast(rows.iterator().next()));
  }

  /** The podcast's row when it exists and the caller may see it, else 404. */
  private Future<Row> visible(JsonObject req, long id) {
    return owned(FeedsSql.PODCAST, "podcast", req, id);
  }

  private Future<Row> episode(JsonObject req, long id) {
    return owned(FeedsSql.EPISODE, "episode", req, id);
  }

  private Future<Row> owned(String sql, String what, JsonObject req, long id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).compose(rows -> {
      var owner = visibleTo(req);
      if (rows.size() == 0 || (owner != null && !owner.equals(rows.iterator().next().getLong("owner_id")))) {
        return Future.failedFuture(ServiceError.notFound("no " + what + " with id " + id));
      }
      return Future.succeededFuture(rows.iterator().next());
    });
  }

  /** The id of the user whose podcasts the caller sees, or null for an admin (every podcast). */
  private static Long visibleTo(JsonObject req) {
    return req.getBoolean("admin", false) ? null : req.getLong("owner_id", NOBODY);
  }

  /** No user has this id: a caller that is neither an admin nor a user sees nothing. */
  private static final long NOBODY = -1L;

  private static long id(JsonObject req, String field) {
    var value = req.getValue(field);
    try {
      return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw ServiceError.badRequest(field + " must be a whole number, got '" + value + "'");
    }
  }

  private static ServiceError alreadyAdded(String url) {
    return ServiceError.conflict("a podcast with rss_url " + url + " already exists");
  }

  /** Deletes the given files (relative to DOWNLOAD_DIR, never outside it) and the podcast folder once empty. */
  private int deleteFiles(List<String> paths, String folder) throws java.io.IOException {
    var root = downloadDir.toAbsolutePath().normalize();
    var deleted = 0;
    for (var p : paths) {
      var file = root.resolve(p).normalize();
      if (file.startsWith(root) && !file.equals(root) && Files.deleteIfExists(file)) {
        deleted++;
      }
    }
    if (folder != null) {
      var dir = root.resolve(folder).normalize();
      if (dir.startsWith(root) && !dir.equals(root) && Files.isDirectory(dir)) {
        try (var entries = Files.list(dir)) {
          if (entries.findAny().isEmpty()) {
            Files.delete(dir);
          }
        }
      }
    }
    return deleted;
  }

  private record Added(long id, EpisodeStore.Stored stored) {
  }
}
