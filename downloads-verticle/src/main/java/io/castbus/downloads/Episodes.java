package io.castbus.downloads;

import io.castbus.common.RunTypes;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** The episodes and podcasts as the downloads module reads and writes them. */
final class Episodes {

  /** An episode with what a download (and its tags) needs of its podcast. */
  record Episode(long id, long podcastId, String title, Instant published, String url, String type, String status,
      String filePath, String target, String etag, String lastModified, Long length, String podcastTitle,
      String folder, String owner, String guid, String description, String imageUrl, Integer episodeNumber,
      Integer seasonNumber, String podcastAuthor, String rssUrl, String coverPath, String folderTemplate,
      String fileTemplate, String podcastImageUrl, String authUsername, byte[] authPassword) {

    static Episode from(Row r) {
      var published = r.getOffsetDateTime("published_at");
      return new Episode(r.getLong("id"), r.getLong("podcast_id"), r.getString("title"),
          published == null ? null : published.toInstant(), r.getString("enclosure_url"), r.getString("enclosure_type"),
          r.getString("download_status"), r.getString("file_path"), r.getString("download_target"),
          r.getString("download_etag"), r.getString("download_last_modified"), r.getLong("download_length"),
          r.getString("podcast_title"), r.getString("folder"), r.getString("owner"), r.getString("guid"),
          r.getString("description"), r.getString("image_url"), r.getInteger("episode_number"),
          r.getInteger("season_number"), r.getString("author"), r.getString("rss_url"), r.getString("cover_path"),
          r.getString("folder_template"), r.getString("file_template"), r.getString("podcast_image_url"),
          r.getString("auth_username"), r.getBuffer("auth_password") == null ? null
              : r.getBuffer("auth_password").getBytes());
    }

    /** What the episode's file name may be made of. */
    FileNames.Fields fields() {
      return new FileNames.Fields(title, published, episodeNumber, seasonNumber, guid, podcastTitle, podcastAuthor);
    }

    /** The validator a resume sends in If-Range: the (strong) ETag, else the Last-Modified date. */
    String validator() {
      return etag != null ? etag : lastModified;
    }
  }

  private final Pool pool;

  Episodes(Pool pool) {
    this.pool = pool;
  }

  Future<Episode> find(long id) {
    return pool.preparedQuery(DownloadsSql.EPISODE).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : Episode.from(rows.iterator().next()));
  }

  /**
   * Marks the episode downloading by this run if its host has fewer than {@code perHost} downloads running across
   * the cluster; returns how many are running there when it has not (-1 when the episode was started).
   */
  Future<Long> start(long episode, String host, UUID run, int perHost) {
    return pool.withTransaction(conn -> conn.preparedQuery(DownloadsSql.LOCK).execute(Tuple.of("castbus.host." + host))
        .compose(v -> conn.preparedQuery(DownloadsSql.HOST_BUSY).execute(Tuple.of(host, episode)))
        .compose(rows -> {
          var busy = rows.iterator().next().getLong(0);
          if (busy >= perHost) {
            return Future.succeededFuture(busy);
          }
          return conn.preparedQuery(DownloadsSql.START).execute(Tuple.of(episode, host, run)).map(-1L);
        }));
  }

  /** What fetching a podcast's cover needs of it. */
  record Cover(long podcastId, String podcastTitle, String author, String folderTemplate, String folder,
      String imageUrl, String path, String source, String etag, String lastModified) {
  }

  Future<Cover> cover(long podcast) {
    return pool.preparedQuery(DownloadsSql.PODCAST_COVER).execute(Tuple.of(podcast)).map(rows -> {
      for (var r : rows) {
        return new Cover(r.getLong("id"), r.getString("podcast_title"), r.getString("author"),
            r.getString("folder_template"), r.getString("folder"),
            r.getString("image_url"), r.getString("cover_path"), r.getString("cover_source"), r.getString("cover_etag"),
            r.getString("cover_last_modified"));
      }
      return null;
    });
  }

  /** Records the cover kept for the podcast: its path, the image URL it came from and that image's validators. */
  Future<Void> saveCover(long podcast, String path, String source, String etag, String lastModified) {
    return pool.preparedQuery(DownloadsSql.SAVE_COVER).execute(Tuple.of(podcast, path, source, etag, lastModified))
        .mapEmpty();
  }

  /** The podcast's folder: its own when set, else the first of {@code candidates} no other podcast uses. */
  Future<String> assignFolder(long podcast, List<String> candidates) {
    var lowered = candidates.stream().map(c -> c.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery(DownloadsSql.LOCK).execute(Tuple.of("castbus.folders"))
        .compose(v -> conn.preparedQuery(DownloadsSql.FOLDERS_TAKEN).execute(Tuple.of(lowered, podcast)))
        .compose(rows -> {
          var taken = new HashSet<String>();
          rows.forEach(r -> taken.add(r.getString(0)));
          var chosen = firstFree(candidates, taken, candidates.get(0) + " (" + podcast + ")");
          return conn.preparedQuery(DownloadsSql.SET_FOLDER).execute(Tuple.of(podcast, chosen));
        })
        .map(rows -> rows.iterator().next().getString("folder")));
  }

  /** The episode's file: its own when set, else the first of {@code candidates} free in the database and on disk. */
  Future<String> assignTarget(Episode episode, List<String> candidates, Set<String> onDisk, String fallback) {
    var lowered = candidates.stream().map(c -> c.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery(DownloadsSql.LOCK)
        .execute(Tuple.of("castbus.podcast." + episode.podcastId()))
        .compose(v -> conn.preparedQuery(DownloadsSql.NAMES_TAKEN)
            .execute(Tuple.of(episode.podcastId(), episode.id(), lowered)))
        .compose(rows -> {
          var taken = new HashSet<String>();
          onDisk.forEach(name -> taken.add(name.toLowerCase(Locale.ROOT)));
          rows.forEach(r -> {
            taken.add(r.getString(0));
            taken.add(r.getString(1));
            taken.add(r.getString(2));
          });
          var chosen = firstFree(candidates, taken, fallback);
          return conn.preparedQuery(DownloadsSql.SET_TARGET).execute(Tuple.of(episode.id(), chosen));
        })
        .map(rows -> rows.iterator().next().getString("download_target")));
  }

  /**
   * Chooses where a downloaded file moves to (the first of {@code candidates} no other episode of the podcast has,
   * in the database or on disk, or {@code fallback}) and records it as the episode's {@code rename_to} before
   * anything moves; null when the file's current name is among the candidates and free (nothing to do).
   */
  Future<String> planRename(Episode episode, List<String> candidates, Set<String> onDisk, String fallback) {
    var lowered = candidates.stream().map(c -> c.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery(DownloadsSql.LOCK)
        .execute(Tuple.of("castbus.podcast." + episode.podcastId()))
        .compose(v -> conn.preparedQuery(DownloadsSql.NAMES_TAKEN)
            .execute(Tuple.of(episode.podcastId(), episode.id(), lowered)))
        .compose(rows -> {
          var taken = new HashSet<String>();
          onDisk.forEach(name -> taken.add(name.toLowerCase(Locale.ROOT)));
          rows.forEach(r -> {
            taken.add(r.getString(0));
            taken.add(r.getString(1));
            taken.add(r.getString(2));
          });
          var current = episode.filePath();
          if (candidates.contains(current) && !taken.contains(current.toLowerCase(Locale.ROOT))) {
            return Future.succeededFuture((String) null);
          }
          var chosen = firstFree(candidates, taken, fallback);
          if (chosen.equals(current)) {
            return Future.succeededFuture((String) null);
          }
          return conn.preparedQuery(DownloadsSql.SET_RENAME_TO).execute(Tuple.of(episode.id(), chosen)).map(chosen);
        }));
  }

  private static String firstFree(List<String> candidates, Set<String> taken, String fallback) {
    return candidates.stream().filter(c -> !taken.contains(c.toLowerCase(Locale.ROOT))).findFirst().orElse(fallback);
  }

  /** Stores what identifies the partial: its validators and the total length its server announced. */
  Future<Void> saveValidators(long episode, String etag, String lastModified, Long length, UUID run) {
    return pool.preparedQuery(DownloadsSql.SAVE_VALIDATORS)
        .execute(Tuple.of(episode, etag, lastModified, run, length)).mapEmpty();
  }

  Future<Void> forgetPartial(long episode) {
    return pool.preparedQuery(DownloadsSql.FORGET_PARTIAL).execute(Tuple.of(episode)).mapEmpty();
  }

  /** Records a completed download; {@code durationSeconds}, read from the file, fills in a length the feed left out. */
  Future<Void> completed(long episode, String path, long bytes, UUID run, Integer durationSeconds) {
    return pool.preparedQuery(DownloadsSql.COMPLETED).execute(Tuple.of(episode, path, bytes, run, durationSeconds))
        .mapEmpty();
  }

  /** Records how an attempt ended: {@code pending} (retry queued, partial kept), {@code failed} or {@code none}. */
  Future<Void> ended(long episode, String status, String error, UUID run, boolean partialGone) {
    return pool.preparedQuery(DownloadsSql.ENDED)
        .execute(Tuple.of(episode, status, error, run, partialGone)).mapEmpty();
  }

  /** A completed download as {@code episode_downloaded} news for the subscribers who asked for it. */
  Future<Void> downloadedNews(Episode episode, String path, long bytes, boolean admin) {
    var json = new io.vertx.core.json.JsonObject().put("id", episode.id()).put("title", episode.title())
        .put("guid", episode.guid()).put("published_at", episode.published() == null ? null
            : episode.published().toString()).put("enclosure_url", episode.url());
    var file = new io.vertx.core.json.JsonObject().put("path", path).put("bytes", bytes);
    return io.castbus.common.Notifications.episode(pool, io.castbus.common.Notifications.EPISODE_DOWNLOADED,
        episode.podcastId(), json, file, admin);
  }

  /** Marks an episode that cannot be downloaded at all failed, with why. */
  Future<Void> refused(long episode, String error) {
    return pool.preparedQuery(DownloadsSql.REFUSED).execute(Tuple.of(episode, error)).mapEmpty();
  }

  Future<List<Long>> podcastsToRename(Long podcast, long afterId, int limit) {
    return pool.preparedQuery(DownloadsSql.PODCASTS_TO_RENAME).execute(Tuple.of(podcast, afterId, limit))
        .map(rows -> {
          var ids = new ArrayList<Long>();
          rows.forEach(r -> ids.add(r.getLong(0)));
          return ids;
        });
  }

  /** What naming a podcast's folder needs: (title, author, folder, folder template, cover path). */
  Future<Row> naming(long podcast) {
    return pool.preparedQuery(DownloadsSql.PODCAST_NAMING).execute(Tuple.of(podcast))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** Moves the podcast's folder name; null when another podcast has it. */
  Future<String> moveFolder(long podcast, String folder) {
    return pool.withTransaction(conn -> conn.preparedQuery(DownloadsSql.LOCK).execute(Tuple.of("castbus.folders"))
        .compose(v -> conn.preparedQuery(DownloadsSql.MOVE_FOLDER).execute(Tuple.of(podcast, folder))))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  Future<List<Episode>> filesToName(long podcast, long afterId, int limit) {
    return pool.preparedQuery(DownloadsSql.FILES_TO_NAME).execute(Tuple.of(podcast, afterId, limit)).map(rows -> {
      var list = new ArrayList<Episode>();
      rows.forEach(r -> list.add(Episode.from(r)));
      return list;
    });
  }

  /** Renames a crash left half-done: (id, file_path, rename_to). */
  Future<List<Row>> pendingRenames(long podcast) {
    return pool.preparedQuery(DownloadsSql.PENDING_RENAMES).execute(Tuple.of(podcast)).map(rows -> {
      var list = new ArrayList<Row>();
      rows.forEach(list::add);
      return list;
    });
  }

  Future<Void> renamed(long episode) {
    return pool.preparedQuery(DownloadsSql.RENAMED).execute(Tuple.of(episode)).mapEmpty();
  }

  Future<Void> clearRename(long episode) {
    return pool.preparedQuery(DownloadsSql.CLEAR_RENAME).execute(Tuple.of(episode)).mapEmpty();
  }

  Future<Void> moveCover(long podcast, String path) {
    return pool.preparedQuery(DownloadsSql.MOVE_COVER).execute(Tuple.of(podcast, path)).mapEmpty();
  }

  Future<String> librarySetting(String name) {
    return pool.preparedQuery(DownloadsSql.LIBRARY_SETTING).execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  Future<Void> saveLibrarySetting(String name, String value) {
    return pool.preparedQuery(DownloadsSql.SAVE_LIBRARY_SETTING).execute(Tuple.of(name, value)).mapEmpty();
  }

  /** A page of episodes wanted without an active download, after {@code afterId}: (id, podcast owner). */
  Future<List<Wanted>> wantedWithoutRun(long afterId, int limit) {
    return pool.preparedQuery(DownloadsSql.WANTED_WITHOUT_RUN)
        .execute(Tuple.of(RunTypes.DOWNLOAD_EPISODE, afterId, limit))
        .map(rows -> {
          var wanted = new ArrayList<Wanted>(rows.size());
          rows.forEach(r -> wanted.add(new Wanted(r.getLong("id"), r.getString("owner"), r.getLong("owner_id"))));
          return wanted;
        });
  }

  record Wanted(long episode, String owner, Long ownerId) {
  }
}
