package io.castbus.common;

import io.castbus.common.queue.NewRun;
import io.vertx.core.json.JsonObject;

/** The run types one module enqueues and another serves, and how their runs are made. */
public final class RunTypes {

  /** Refreshes one podcast's feed; payload {@code {"podcast_id"}}. Served by the feeds module. */
  public static final String REFRESH_FEED = "refresh_feed";
  /** Downloads one episode's enclosure; payload {@code {"episode_id"}}. Served by the downloads module. */
  public static final String DOWNLOAD_EPISODE = "download_episode";

  private RunTypes() {
  }

  /** A download of one episode: at most one queued or running per episode. */
  public static NewRun download(long episodeId) {
    return NewRun.of(DOWNLOAD_EPISODE, new JsonObject().put("episode_id", episodeId)).dedupe("episode:" + episodeId);
  }

  /** A refresh of one podcast's feed: at most one queued or running per podcast. */
  public static NewRun refresh(long podcastId) {
    return NewRun.of(REFRESH_FEED, new JsonObject().put("podcast_id", podcastId)).dedupe("podcast:" + podcastId);
  }
}
