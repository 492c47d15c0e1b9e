package io.castbus.common;

import io.castbus.common.queue.NewRun;
import io.vertx.core.json.JsonObject;

/** The run types one module enqueues and another serves, and how their runs are made. */
public final class RunTypes {

  /** Refreshes one podcast's feed; payload {@code {"podcast_id"}}. Served by the feeds module. */
  public static final String REFRESH_FEED = "refresh_feed";
  /** Downloads one episode's enclosure; payload {@code {"episode_id"}}. Served by the downloads module. */
  public static final String DOWNLOAD_EPISODE = "download_episode";
  /** Keeps one podcast's cover in its folder; payload {@code {"podcast_id"}}. Served by the downloads module. */
  public static final String FETCH_ARTWORK = "fetch_artwork";
  /**
   * Asks the configured media servers (Plex, Jellyfin, Audiobookshelf) to scan the library; queued after files
   * change, a quiet period after the last change ({@code RunQueue.debounce}). Served by the downloads module.
   */
  public static final String NOTIFY_MEDIA_SERVERS = "notify_media_servers";
  /**
   * Moves the library's files to the names the naming templates give; payload {@code {"podcast_id"}} for one
   * podcast, or none for all. Served by the downloads module.
   */
  public static final String RENAME_LIBRARY = "rename_library";
  /**
   * A podcast's back catalogue: the parent of one {@code download_episode} run per episode; it ends when they have,
   * and cancelling it cancels them. Payload {@code {"podcast_id", "subscription_id"}}. Served by the feeds module.
   */
  public static final String DOWNLOAD_ALL = "download_all";
  /**
   * One webhook delivery of good news ({@link Notifications}); payload {@code {"event", "body", "user_id"}} (no
   * user: WEBHOOK_URL). Served by the scheduler module.
   */
  public static final String DELIVER_WEBHOOK = "deliver_webhook";

  private RunTypes() {
  }

  /** A download of one episode: at most one queued or running per episode. */
  public static NewRun download(long episodeId) {
    return NewRun.of(DOWNLOAD_EPISODE, new JsonObject().put("episode_id", episodeId)).dedupe("episode:" + episodeId);
  }

  /** A fetch of one podcast's cover: at most one queued or running per podcast. */
  public static NewRun artwork(long podcastId) {
    return NewRun.of(FETCH_ARTWORK, new JsonObject().put("podcast_id", podcastId)).dedupe("artwork:" + podcastId);
  }

  /** A rename of one podcast's files ({@code null}: the whole library): at most one queued or running per scope. */
  public static NewRun rename(Long podcastId) {
    var payload = podcastId == null ? new JsonObject() : new JsonObject().put("podcast_id", podcastId);
    return NewRun.of(RENAME_LIBRARY, payload).dedupe(podcastId == null ? "library" : "podcast:" + podcastId);
  }

  /** A refresh of one podcast's feed: at most one queued or running per podcast. */
  public static NewRun refresh(long podcastId) {
    return NewRun.of(REFRESH_FEED, new JsonObject().put("podcast_id", podcastId)).dedupe("podcast:" + podcastId);
  }
}
