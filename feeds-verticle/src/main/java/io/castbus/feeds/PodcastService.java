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
  private final BackCatalogue backCatalogue;
  private final StoredCredentials credentials;

  PodcastService(Vertx vertx, Pool pool, RunQueue queue, Refresher refresher, Path downloadDir,
      io.castbus.common.LibraryChanges changes, StoredCredentials credentials) {
    this.vertx = vertx;
    this.pool = pool;
    this.queue = queue;
    this.refresher = refresher;
    this.downloadDir = downloadDir;
    this.changes = changes;
    this.backCatalogue = new BackCatalogue(vertx, pool, queue);
    this.credentials = credentials;
  }

  /** Fetches and parses the feed at once; stores nothing unless it reads. */
  Future<JsonObject> add(JsonObject req) {
    String url;
    FeedCredentials.Parsed auth;
    try {
      auth = FeedCredentials.parse(req, req.getString("rss_url"));
      url = NetworkPolicy.parse(auth.url()).toString();
    } catch (NetworkPolicy.Refused e) {
      return Future.failedFuture(ServiceError.badRequest("rss_url: " + e.getMessage()));
    } catch (ServiceError e) {
      return Future.failedFuture(e);
    }
    Choices choices;
    try {
      choices = new Choices(Choices.filters(req.getJsonObject("filters")),
          Choices.retention(req, Choices.Retention.DEFAULT));
    } catch (ServiceError e) {
      return Future.failedFuture(e);
    } catch (ClassCastException e) {
      return Future.failedFuture(ServiceError.badRequest("filters must be an object"));
    }
    var keep = choices.retention().count() == null ? 5 : choices.retention().count();
    var autoDownload = req.getBoolean("auto_download", true);
    Integer every;
    try {
      every = refreshInterval(req);
    } catch (ServiceError e) {
      return Future.failedFuture(e);
    }
    var owner = req.getString("owner");
    var ownerId = req.getLong("owner_id");
    return pool.preparedQuery(FeedsSql.PODCAST_BY_URL).execute(Tuple.of(url)).compose(existing -> {
      if (existing.size() > 0) {
        var feed = existing.iterator().next().getLong("id");
        // A private feed (one whose subscribers gave credentials) is shared only with who can read it: their own
        // credentials are tried on it first. A public feed is not fetched again.
        return credentials.of(feed).compose(stored -> stored == null && auth.credentials() == null
                ? Future.succeededFuture()
                : refresher.read(url, FeedFetcher.Validators.NONE, true, auth.credentials()).recover(e ->
                    Future.failedFuture(e instanceof RunFailure f ? new ServiceError(400, f.code(), "the feed at "
                        + url + " cannot be added: " + f.getMessage()) : e)))
            .compose(v -> subscribe(feed, url, owner, ownerId, choices, autoDownload, every, auth.credentials()));
      }
      return refresher.read(url, FeedFetcher.Validators.NONE, true, auth.credentials())
          .recover(e -> Future.failedFuture(e instanceof RunFailure f
              ? new ServiceError(400, f.code(), "the feed at " + url + " cannot be added: " + f.getMessage()) : e))
          .compose(read -> {
            var inserted = pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.INSERT_PODCAST)
                .execute(Tuple.of(owner, url, keep, autoDownload, ownerId)).compose(rows -> {
                  if (rows.size() == 0) {
                    return Future.succeededFuture((Added) null);
                  }
                  var podcast = new Podcast(rows.iterator().next().getLong("id"), owner, ownerId,
                      url, keep, autoDownload, null, null, false);
                  // The feed's first subscription, the caller's, comes with its row (V14's trigger).
                  return setChoices(conn, podcast.id(), choices)
                      .compose(v -> conn.preparedQuery(FeedsSql.UPDATE_SUBSCRIPTION)
                          .execute(Tuple.of(podcast.id(), null, null, null, true, every)))
                      .compose(v -> auth.credentials() == null ? Future.<Void>succeededFuture()
                          : credentials.save(conn, podcast.id(), auth.credentials()))
                      .compose(v -> EpisodeStore.store(conn, podcast, read.feed(), read.fetched(), read.movedTo()))
                      .map(stored -> new Added(podcast.id(), stored));
                }));
            return inserted.compose(added -> {
              if (added == null) {
                // Another request added the feed meanwhile: subscribe to it.
                return pool.preparedQuery(FeedsSql.PODCAST_BY_URL).execute(Tuple.of(url)).compose(rows ->
                    subscribe(rows.iterator().next().getLong("id"), url, owner, ownerId, choices, autoDownload,
                        every, auth.credentials()));
              }
              queue.wake(added.stored().queuedTypes());
              return podcast(added.id()).map(json -> json.put("refresh", added.stored().toJson()));
            });
          });
    });
  }

  /**
   * Subscribes the user to a feed another user already follows: no fetch (the feed is read once per refresh for
   * everyone), the episodes already known are theirs at once, and with auto-download the newest they keep are
   * queued when not downloaded yet. The same URL twice by the same user is 409.
   */
  private Future<JsonObject> subscribe(long feed, String url, String owner, Long ownerId, Choices choices,
      boolean autoDownload, Integer every, FeedCredentials auth) {
    var r = choices.retention();
    return pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.INSERT_SUBSCRIPTION)
        .execute(Tuple.from(new Object[] {feed, owner, ownerId, r.count() == null ? 5 : r.count(), autoDownload,
            choices.filters().json(), r.mode(), r.days(), every})).compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(alreadyAdded(url));
          }
          var id = rows.iterator().next().getLong("id");
          return (auth == null ? Future.<Void>succeededFuture() : credentials.save(conn, id, auth))
              .compose(v -> conn.preparedQuery(FeedsSql.SYNC_FEED).execute(Tuple.of(feed)))
              .compose(v -> !autoDownload ? Future.succeededFuture(List.<Long>of())
                  : conn.preparedQuery(FeedsSql.NOT_DOWNLOADED).execute(Tuple.of(feed, EpisodeStore.MAX_EPISODES))
                      .compose(known -> {
                        var candidates = new ArrayList<Choices.Candidate>();
                        known.forEach(e -> {
                          var published = e.getOffsetDateTime("published_at");
                          candidates.add(new Choices.Candidate(e.getLong("id"), e.getString("title"),
                              e.getInteger("duration_s"), published == null ? null : published.toInstant()));
                        });
                        // Only this subscriber's choices: the others had theirs when the episodes came.
                        var wanted = choices.wanted(candidates, java.time.Instant.now());
                        if (wanted.isEmpty()) {
                          return Future.succeededFuture(List.<Long>of());
                        }
                        return conn.preparedQuery(FeedsSql.MARK_PENDING)
                            .execute(Tuple.of((Object) wanted.toArray(new Long[0]))).compose(marked -> {
                              var ids = new ArrayList<Long>();
                              marked.forEach(m -> ids.add(m.getLong("id")));
                              var runs = ids.stream().map(e -> RunTypes.download(e).owner(owner, ownerId)).toList();
                              return RunQueue.insert(conn, runs).map(created -> (List<Long>) ids);
                            });
                      }))
              .map(queued -> new long[] {id, queued.size()});
        })).compose(made -> {
          if (made[1] > 0) {
            queue.wake(List.of(RunTypes.DOWNLOAD_EPISODE));
          }
          return podcast(made[0]).map(json -> json.put("refresh", new JsonObject().put("shared_feed", true)
              .put("items", json.getLong("episode_count")).put("added", 0).put("queued_downloads", made[1])));
        });
  }

  private static Future<Void> setChoices(io.vertx.sqlclient.SqlConnection conn, long subscription, Choices choices) {
    var r = choices.retention();
    return conn.preparedQuery(FeedsSql.SET_CHOICES).execute(Tuple.of(subscription, choices.filters().json(),
        r.mode(), r.days(), r.count())).mapEmpty();
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
    Choices.Retention retention;
    Choices.Filters filters;
    Integer every;
    var everyGiven = req.containsKey("refresh_interval_s");
    FeedCredentials.Parsed auth;
    try {
      auth = FeedCredentials.parse(req, null);
      every = refreshInterval(req);
      retention = Choices.retention(req, null);
      filters = req.containsKey("filters") ? Choices.filters(req.getJsonObject("filters")) : null;
    } catch (ServiceError e) {
      return Future.failedFuture(e);
    } catch (ClassCastException e) {
      return Future.failedFuture(ServiceError.badRequest("filters must be an object"));
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
    return visible(req, id).compose(row -> {
      var feed = row.getLong("podcast_id");
      var changed = (given[0] && !java.util.Objects.equals(templates[0], row.getString("folder_template")))
          || (given[1] && !java.util.Objects.equals(templates[1], row.getString("file_template")));
      return pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.UPDATE_SUBSCRIPTION)
              .execute(Tuple.from(new Object[] {id, null, req.getBoolean("auto_download"),
                  FeedParser.trim(req.getString("title")), everyGiven, every}))
              .compose(v -> conn.preparedQuery(FeedsSql.SET_CHOICES).execute(Tuple.of(id,
                  filters == null ? null : filters.json(), retention == null ? null : retention.mode(),
                  retention == null ? null : retention.days(), retention == null ? null : retention.count())))
              .compose(v -> conn.preparedQuery(FeedsSql.UPDATE_TEMPLATES)
                  .execute(Tuple.of(feed, given[0], templates[0], given[1], templates[1])))
              .compose(v -> auth.given() ? credentials.save(conn, id, auth.credentials())
                  : Future.<Void>succeededFuture())
              .compose(v -> conn.preparedQuery(FeedsSql.SYNC_FEED).execute(Tuple.of(feed))))
          // The files move to their new names in a rename_library run.
          .compose(v -> changed ? queue.enqueue(RunTypes.rename(feed)).<Void>mapEmpty()
              : Future.<Void>succeededFuture());
    }).compose(v -> podcast(id));
  }

  /**
   * Ends the caller's subscription. The feed, its episodes and (with {@code delete_files}) its files under
   * DOWNLOAD_DIR go with its last subscription; while other users follow it, they stay.
   */
  Future<JsonObject> delete(JsonObject req) {
    var id = id(req, "id");
    var deleteFiles = req.getBoolean("delete_files", false);
    return visible(req, id).compose(row -> {
      var feed = row.getLong("podcast_id");
      var folder = row.getString("folder");
      return pool.preparedQuery(FeedsSql.OTHER_SUBSCRIBERS).execute(Tuple.of(feed, id)).compose(others -> {
        var shared = others.iterator().next().getLong(0) > 0;
        if (shared) {
          return pool.withTransaction(conn -> conn.preparedQuery(FeedsSql.DELETE_SUBSCRIPTION).execute(Tuple.of(id))
                  .compose(v -> conn.preparedQuery(FeedsSql.SYNC_FEED).execute(Tuple.of(feed))))
              .map(v -> new JsonObject().put("deleted", true).put("id", id).put("files_deleted", 0)
                  .put("files_kept", deleteFiles ? "other users follow this podcast" : null));
        }
        Future<Integer> files = !deleteFiles ? Future.succeededFuture(0)
            : pool.preparedQuery(FeedsSql.EPISODE_FILES).execute(Tuple.of(feed, MAX_FILES)).compose(paths -> {
              var list = new ArrayList<String>();
              paths.forEach(p -> list.add(p.getString("file_path")));
              return vertx.executeBlocking(() -> deleteFiles(list, folder), false);
            });
        return files.compose(n -> pool.preparedQuery(FeedsSql.DELETE_PODCAST).execute(Tuple.of(feed))
            .compose(v -> n > 0 ? changes.changed() : Future.<Void>succeededFuture())
            .map(v -> new JsonObject().put("deleted", true).put("id", id).put("files_deleted", n)));
      });
    });
  }

  /** The back catalogue of the caller's subscription ({@link BackCatalogue}). */
  Future<JsonObject> downloadAll(JsonObject req) {
    return visible(req, id(req, "id")).compose(row -> backCatalogue.queue(req, row));
  }

  Future<JsonObject> refresh(JsonObject req) {
    var id = id(req, "id");
    return visible(req, id)
        .compose(row -> queue.enqueue(RunTypes.refresh(row.getLong("podcast_id"))
            .owner(req.getString("owner"), req.getLong("owner_id")).priority(Priority.HIGH)))
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
    return visible(req, id).compose(row -> {
      var filters = Choices.filters(row.getJsonObject("filters"));
      return pool.preparedQuery(FeedsSql.EPISODES_PAGE)
        .execute(Tuple.of(row.getLong("podcast_id"), cursor == null ? null : cursor.at(), afterId, limit + 1))
        .compose(rows -> pool.preparedQuery(FeedsSql.EPISODE_COUNT).execute(Tuple.of(row.getLong("podcast_id")))
            .map(count -> {
          var episodes = new JsonArray();
          Row last = null;
          for (var r : rows) {
            if (episodes.size() == limit) {
              break;
            }
            // Each user sees the episodes under their own subscription's id, and which of their filters leaves
            // an episode out of auto-download.
            var published = r.getOffsetDateTime("published_at");
            episodes.add(FeedsJson.episode(r).put("podcast_id", id).put("filtered_by", filters.rejects(
                r.getString("title"), r.getInteger("duration_s"), published == null ? null : published.toInstant())));
            last = r;
          }
          var next = rows.size() > limit && last != null
              ? PageCursor.of(last.getOffsetDateTime("published_at"), last.getLong("id")).encode() : null;
          return new JsonObject().put("episodes", episodes).put("total", count.iterator().next().getLong(0))
              .put("next_cursor", next).put("owner_id", row.getLong("owner_id"));
        }));
    });
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
          return pool.preparedQuery(FeedsSql.IMPORT_PODCASTS).execute(Tuple.of(owner, rows, req.getLong("owner_id")))
              .compose(inserted -> {
                var podcasts = new JsonArray();
                var runs = new ArrayList<io.castbus.common.queue.NewRun>();
                var feeds = new ArrayList<Long>();
                inserted.forEach(r -> {
                  podcasts.add(new JsonObject().put("id", r.getLong("id")).put("rss_url", r.getString("rss_url")));
                  feeds.add(r.getLong("podcast_id"));
                  if (r.getBoolean("new")) {
                    runs.add(RunTypes.refresh(r.getLong("podcast_id")).owner(owner, req.getLong("owner_id")));
                  }
                });
                Future<Void> synced = Future.succeededFuture();
                for (var feed : feeds) {
                  synced = synced.compose(v -> pool.preparedQuery(FeedsSql.SYNC_FEED).execute(Tuple.of(feed))
                      .mapEmpty());
                }
                return synced.compose(v -> queue.enqueueAll(runs)).map(ids -> new JsonObject()
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

  /** The episode's row when the caller subscribes to its feed (or is an admin), else 404. */
  private Future<Row> episode(JsonObject req, long id) {
    return pool.preparedQuery(FeedsSql.EPISODE).execute(Tuple.of(id, visibleTo(req))).compose(rows -> {
      if (rows.size() == 0 || (visibleTo(req) != null && !rows.iterator().next().getBoolean("subscribed"))) {
        return Future.failedFuture(ServiceError.notFound("no episode with id " + id));
      }
      return Future.succeededFuture(rows.iterator().next());
    });
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

  /** {@code refresh_interval_s}: at least 300 s, at most 30 days; null (or absent) for FEED_REFRESH_INTERVAL. */
  static Integer refreshInterval(JsonObject req) {
    var value = req.getValue("refresh_interval_s");
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 300
        || n.longValue() > 30L * 86_400) {
      throw ServiceError.badRequest("refresh_interval_s must be a whole number of seconds from 300 to 2592000 "
          + "(or null for FEED_REFRESH_INTERVAL), got " + value);
    }
    return n.intValue();
  }

  private static ServiceError alreadyAdded(String url) {
    return ServiceError.conflict("a podcast with rss_url " + url + " already exists among your podcasts");
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
