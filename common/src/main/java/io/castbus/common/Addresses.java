package io.castbus.common;

/** Every event-bus address Castbus uses. Requests expect a reply; publications fan out to all consumers. */
public final class Addresses {

  /** Publication {@code {"type"}}: queued work of that type may be claimable now. */
  public static final String RUNS_WAKE = "castbus.runs.wake";
  /** Publication {@code {"run_id"}}: the worker holding that run must stop it. */
  public static final String RUNS_CANCEL = "castbus.runs.cancel";
  /** Publication: run lifecycle and progress ({@code {"run_id", "type", "job_id", "status", ...}}). */
  public static final String RUNS_UPDATES = "castbus.runs.updates";

  /** Request {@code {"status", "job", "type", "limit", "cursor"}} → {@code {"runs", "next_cursor"}}. */
  public static final String RUNS_LIST = "castbus.runs.list";
  /** Request {@code {"id"}} → the run. */
  public static final String RUNS_GET = "castbus.runs.get";
  /** Request {@code {"id"}} → {@code {"events"}}. */
  public static final String RUNS_EVENTS = "castbus.runs.events";
  /** Request {@code {"id"}} → the run after the cancel request. */
  public static final String RUNS_CANCEL_REQUEST = "castbus.runs.cancel-request";
  /** Request {@code {"id"}} → {@code {"deleted": true}}. */
  public static final String RUNS_DELETE = "castbus.runs.delete";

  /** Request {} → {@code {"jobs"}}. */
  public static final String JOBS_LIST = "castbus.jobs.list";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_GET = "castbus.jobs.get";
  /** Request {@code {"id", "trigger", "max_instances"}} → the job. */
  public static final String JOBS_UPDATE = "castbus.jobs.update";
  /** Request {@code {"id", "payload"}} → {@code {"run_id"}}. */
  public static final String JOBS_TRIGGER = "castbus.jobs.trigger";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_PAUSE = "castbus.jobs.pause";
  /** Request {@code {"id"}} → the job. */
  public static final String JOBS_RESUME = "castbus.jobs.resume";
  /** Publication {}: jobs changed in the database; schedulers re-read their next due time. */
  public static final String JOBS_CHANGED = "castbus.jobs.changed";

  /** Request {@code {"status", "podcast", "limit", "owner", "admin"}} → {@code {"total", "downloads"}}. */
  public static final String DOWNLOADS_LIST = "castbus.downloads.list";
  /** Request {@code {"id", "owner", "admin"}} → {@code {"run_id", "episode_id"}}: queues a download of the episode. */
  public static final String EPISODES_DOWNLOAD = "castbus.episodes.download";

  private Addresses() {
  }
}
