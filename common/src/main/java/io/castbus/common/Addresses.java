package io.castbus.common;

/**
 * Every event-bus address Castbus uses. Requests expect a reply; publications fan out to all consumers, and each
 * publication's body is defined once, by its record in {@link io.castbus.common.bus}.
 */
public final class Addresses {

  /** Publication {@link io.castbus.common.bus.RunsWake}: queued work of that type may be claimable now. */
  public static final String RUNS_WAKE = "castbus.runs.wake";
  /** Publication {@link io.castbus.common.bus.RunCancel}: the worker holding that run must stop it. */
  public static final String RUNS_CANCEL = "castbus.runs.cancel";
  /** Publication {@link io.castbus.common.bus.RunUpdate}: run lifecycle and progress. */
  public static final String RUNS_UPDATES = "castbus.runs.updates";

  /**
   * Publication {@link io.castbus.common.bus.RunTypesChanged}: a run type was paused, resumed or capped; workers
   * re-read its settings.
   */
  public static final String RUN_TYPES_CHANGED = "castbus.run-types.changed";

  /**
   * Request {@code {"status", "job", "type", "podcast", "episode", "q", "created_after", "created_before", "limit",
   * "cursor", "owner_id"}} → {@code {"runs", "next_cursor"}}.
   */
  public static final String RUNS_LIST = "castbus.runs.list";
  /** Request {@code {"id"}} → the run. */
  public static final String RUNS_GET = "castbus.runs.get";
  /** Request {@code {"id"}} → {@code {"events"}}. */
  public static final String RUNS_EVENTS = "castbus.runs.events";
  /**
   * Request {@code {"since", "owner", "limit"}} → {@code {"runs", "complete"}}: the current state of the runs changed
   * after {@code since}, shaped as {@link #RUNS_UPDATES} messages, for a live stream catching up.
   */
  public static final String RUNS_CHANGES = "castbus.runs.changes";
  /** Request {@code {"id"}} → the run after the cancel request. */
  public static final String RUNS_CANCEL_REQUEST = "castbus.runs.cancel-request";
  /** Request {@code {"id"}} → {@code {"deleted": true}}. */
  public static final String RUNS_DELETE = "castbus.runs.delete";
  /** Request {@code {"id"}} → {@code {"run_id", "retry_of"}}: a new run like a failed or cancelled one. */
  public static final String RUNS_RETRY = "castbus.runs.retry";
  /**
   * Request {@code {"action", "filter", "actor", "actor_id", "owner_id"}} → {@code {"action_id", "matched", "done",
   * "skipped"}}: retry, cancel or delete every run the filter matches (only the owner's when {@code owner_id} is set).
   */
  public static final String RUNS_BULK = "castbus.runs.bulk";
  /** Request {@code {"limit", "actor_id"}} → {@code {"actions"}}: bulk actions and run-type changes, newest first. */
  public static final String RUN_ACTIONS_LIST = "castbus.run-actions.list";
  /** Request {@code {"job"} or {"type"}} → {@code {"durations", "hourly"}}: the charts of a job or a run type. */
  public static final String RUNS_STATS = "castbus.runs.stats";
  /** Request {} → {@code {"run_types"}}: every run type with its counts, settings and workers. */
  public static final String RUN_TYPES_LIST = "castbus.run-types.list";
  /**
   * Request {@code {"type", "paused" | "concurrency", "actor"}} → the run type: pause or resume its claiming, or set
   * its cluster-wide cap (null: back to the workers' default).
   */
  public static final String RUN_TYPES_UPDATE = "castbus.run-types.update";

  /** Request {} → {@code {"jobs"}}. */
  public static final String JOBS_LIST = "castbus.jobs.list";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_GET = "castbus.jobs.get";
  /** Request {@code {"id", "trigger", "max_instances"}} → the job. */
  public static final String JOBS_UPDATE = "castbus.jobs.update";
  /**
   * Request {@code {"id", "trigger", "count"}} → {@code {"next_run_times"}}: when that trigger would fire the job,
   * without saving it.
   */
  public static final String JOBS_PREVIEW = "castbus.jobs.preview";
  /** Request {@code {"id", "payload"}} → {@code {"run_id"}}. */
  public static final String JOBS_TRIGGER = "castbus.jobs.trigger";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_PAUSE = "castbus.jobs.pause";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_RESUME = "castbus.jobs.resume";
  /** Publication {@link io.castbus.common.bus.JobsChanged}: schedulers re-read their next due time. */
  public static final String JOBS_CHANGED = "castbus.jobs.changed";

  /** Request {} → {@code {"jobs": [{"id", "status": "ok"|"failing"|"overdue"|"backlogged", "reasons", ...}]}}. */
  public static final String JOBS_HEALTH = "castbus.jobs.health";

  /** Request {@code {"limit"}} → {@code {"alerts"}}, newest first. */
  public static final String ALERTS_LIST = "castbus.alerts.list";
  /** Publication: an alert fired ({@code {"key", "kind", "subject", "message", "sent"}}). */
  public static final String ALERTS_FIRED = "castbus.alerts.fired";

  /** Publication {@link io.castbus.common.bus.AuthRevoked}: every gateway forgets the keys it has cached. */
  public static final String AUTH_REVOKED = "castbus.auth.revoked";

  /** Request {@code {"rss_url", "max_episodes_to_keep", "auto_download", "owner"}} → the podcast, fetched and parsed. */
  public static final String PODCASTS_ADD = "castbus.podcasts.add";
  /** Request {@code {"owner", "admin"}} → {@code {"podcasts"}} (an admin sees every podcast, a user their own). */
  public static final String PODCASTS_LIST = "castbus.podcasts.list";
  /** Request {@code {"id", "owner", "admin"}} → the podcast. */
  public static final String PODCASTS_GET = "castbus.podcasts.get";
  /** Request {@code {"id", "owner", "admin", "max_episodes_to_keep", "auto_download", "title"}} → the podcast. */
  public static final String PODCASTS_UPDATE = "castbus.podcasts.update";
  /** Request {@code {"id", "owner", "admin", "delete_files"}} → {@code {"deleted": true, "files_deleted"}}. */
  public static final String PODCASTS_DELETE = "castbus.podcasts.delete";
  /** Request {@code {"id", "owner", "admin"}} → {@code {"run_id"}} of the queued refresh. */
  public static final String PODCASTS_REFRESH = "castbus.podcasts.refresh";
  /**
   * Request {@code {"id", "limit", "ignore_filters", "owner", "owner_id", "admin"}} → {@code {"run_id", "queued"}}:
   * the back catalogue, one {@code download_all} run with a child download per episode not downloaded yet.
   */
  public static final String PODCASTS_DOWNLOAD_ALL = "castbus.podcasts.download-all";
  /** Request {@code {"opml", "owner"}} → {@code {"imported", "existing", "invalid", "podcasts"}}. */
  public static final String PODCASTS_IMPORT = "castbus.podcasts.import";
  /** Request {@code {"owner", "admin"}} → {@code {"opml"}}: the podcasts as an OPML 2.0 document. */
  public static final String PODCASTS_EXPORT = "castbus.podcasts.export";
  /** Request {@code {"podcast_id", "owner", "admin", "limit", "cursor"}} → {@code {"episodes", "total", "next_cursor"}}. */
  public static final String EPISODES_LIST = "castbus.episodes.list";
  /** Request {@code {"id", "owner", "admin", "keep"}} → the episode. */
  public static final String EPISODES_UPDATE = "castbus.episodes.update";
  /** Request {@code {"status", "podcast", "limit", "owner", "admin"}} → {@code {"total", "downloads"}}. */
  public static final String DOWNLOADS_LIST = "castbus.downloads.list";
  /** Request {@code {"id", "owner", "admin"}} → {@code {"run_id", "episode_id"}}: queues a download of the episode. */
  public static final String EPISODES_DOWNLOAD = "castbus.episodes.download";
  /**
   * Request {@code {"owner_id", "admin", "podcast_id"}} (no {@code podcast_id}: the whole library) →
   * {@code {"podcasts", "episodes"}}: what a personal feed lists, the downloaded episodes newest first.
   */
  public static final String LIBRARY_FEED = "castbus.library.feed";
  /** Request {@code {"q", "limit"}} → {@code {"results", "errors", "cached"}}: podcast search (iTunes, Podcast Index). */
  public static final String SEARCH_PODCASTS = "castbus.search.podcasts";
  /** Request {@code {"owner_id", "admin", "episode_id"}} → {@code {"file_path", "enclosure_type", "bytes"}}: a library file. */
  public static final String LIBRARY_MEDIA = "castbus.library.media";
  /**
   * Request {@code {"owner_id", "admin", "podcast_id"}} → {@code {"cover_path"}}: a podcast's kept cover, when the
   * podcast is in that library.
   */
  public static final String LIBRARY_COVER = "castbus.library.cover";
  /** Request {@code {"id", "owner_id", "admin"}} → {@code {"cover_path"}}: where the podcast's cover is kept. */
  public static final String PODCASTS_COVER = "castbus.podcasts.cover";

  private Addresses() {
  }
}
