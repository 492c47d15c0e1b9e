package io.castbus.scheduler.alert;

import java.time.Duration;

/**
 * When conditions become alerts.
 *
 * @param checkEvery        how often the watched conditions are checked
 * @param resendAfter       the same alert is delivered at most once in this time
 * @param backlogAfter      queued runs due for longer than this are a backlog
 * @param overrunFactor     a run is overrunning past this many times its type's p95 duration…
 * @param overrunFloor      …and at least this long
 * @param overrunNoHistory  how long a run of a type with no completed history may run
 * @param workerSilence     a worker not heard from for this long is gone
 */
public record AlertOptions(Duration checkEvery, Duration resendAfter, Duration backlogAfter, double overrunFactor,
    Duration overrunFloor, Duration overrunNoHistory, Duration workerSilence) {

  public static final AlertOptions DEFAULTS = new AlertOptions(Duration.ofSeconds(30), Duration.ofHours(1),
      Duration.ofMinutes(15), 3.0, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(90));
}
