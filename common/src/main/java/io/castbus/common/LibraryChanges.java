package io.castbus.common;

import io.castbus.common.config.Settings;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * What a module calls when files of the library appeared or went away: when media servers are configured, one
 * {@code notify_media_servers} run is queued for MEDIA_SCAN_QUIET seconds after the last change, so a burst of
 * downloads makes one scan per server.
 */
public final class LibraryChanges {

  private final RunQueue queue;
  private final Settings settings;

  public LibraryChanges(RunQueue queue, Settings settings) {
    this.queue = queue;
    this.settings = settings;
  }

  /** Records a change; never fails the caller's work (a failure to queue the scan is only reported). */
  public Future<Void> changed() {
    if (!settings.mediaServers().any()) {
      return Future.succeededFuture();
    }
    return queue.debounce(RunTypes.NOTIFY_MEDIA_SERVERS, new JsonObject(),
        Duration.ofSeconds(settings.mediaScanQuietSeconds())).<Void>mapEmpty().recover(e -> {
          org.slf4j.LoggerFactory.getLogger(LibraryChanges.class)
              .warn("The media-server scan could not be queued: {}", e.getMessage());
          return Future.succeededFuture();
        });
  }
}
