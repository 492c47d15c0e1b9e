package io.castbus.downloads;

import io.castbus.common.config.Settings;
import io.castbus.common.queue.JobTypeOptions;
import java.time.Duration;

/**
 * How downloads are bounded.
 *
 * @param clusterConcurrency downloads at once across the whole cluster (MAX_CONCURRENT_DOWNLOADS)
 * @param perHost            downloads at once from one server host, across the cluster
 * @param idleTimeout        a transfer receiving no byte for this long fails (DOWNLOAD_IDLE_TIMEOUT)
 * @param maxFileBytes       the largest file accepted (DOWNLOAD_MAX_FILE_MB)
 * @param minFreeBytes       the disk space that must stay free under DOWNLOAD_DIR (DOWNLOAD_MIN_FREE_MB)
 * @param maxAttempts        attempts before a download fails for good
 * @param backoff            the wait before the first retry; it doubles with each attempt
 * @param hostBusyWait       how long a download waits in the queue when its host already has its share
 * @param totalTimeout       the longest one attempt may take; the next attempt resumes where it stopped
 */
record DownloadLimits(int clusterConcurrency, int perHost, Duration idleTimeout, long maxFileBytes,
    long minFreeBytes, int maxAttempts, Duration backoff, Duration hostBusyWait, Duration totalTimeout) {

  /** Long enough for a 2 GB episode at 1 Mbit/s. */
  static final Duration TOTAL_TIMEOUT = Duration.ofHours(6);

  static final int PER_HOST = 2;
  static final long MB = 1024L * 1024;

  static DownloadLimits from(Settings s) {
    return new DownloadLimits(s.maxConcurrentDownloads(), PER_HOST, Duration.ofSeconds(s.downloadIdleTimeout()),
        s.downloadMaxFileMb() * MB, s.downloadMinFreeMb() * MB, 4, Duration.ofSeconds(2), Duration.ofSeconds(5),
        TOTAL_TIMEOUT);
  }

  JobTypeOptions jobOptions() {
    return JobTypeOptions.DEFAULTS.concurrency(clusterConcurrency).clusterConcurrency(clusterConcurrency)
        .maxAttempts(maxAttempts).backoff(backoff);
  }

  DownloadLimits idleTimeout(Duration d) {
    return new DownloadLimits(clusterConcurrency, perHost, d, maxFileBytes, minFreeBytes, maxAttempts, backoff,
        hostBusyWait, totalTimeout);
  }

  DownloadLimits maxFileBytes(long n) {
    return new DownloadLimits(clusterConcurrency, perHost, idleTimeout, n, minFreeBytes, maxAttempts, backoff,
        hostBusyWait, totalTimeout);
  }

  DownloadLimits minFreeBytes(long n) {
    return new DownloadLimits(clusterConcurrency, perHost, idleTimeout, maxFileBytes, n, maxAttempts, backoff,
        hostBusyWait, totalTimeout);
  }

  DownloadLimits backoff(Duration d) {
    return new DownloadLimits(clusterConcurrency, perHost, idleTimeout, maxFileBytes, minFreeBytes, maxAttempts, d,
        hostBusyWait, totalTimeout);
  }

  DownloadLimits hostBusyWait(Duration d) {
    return new DownloadLimits(clusterConcurrency, perHost, idleTimeout, maxFileBytes, minFreeBytes, maxAttempts,
        backoff, d, totalTimeout);
  }

  DownloadLimits totalTimeout(Duration d) {
    return new DownloadLimits(clusterConcurrency, perHost, idleTimeout, maxFileBytes, minFreeBytes, maxAttempts,
        backoff, hostBusyWait, d);
  }
}
