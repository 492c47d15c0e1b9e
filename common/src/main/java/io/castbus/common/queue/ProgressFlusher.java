package io.castbus.common.queue;

import io.vertx.core.json.JsonArray;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the progress, output lines and events that running handlers reported since the last write, in a batch. */
final class ProgressFlusher {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressFlusher.class);

  private final RunQueue queue;
  private final String workerId;

  ProgressFlusher(RunQueue queue, String workerId) {
    this.queue = queue;
    this.workerId = workerId;
  }

  void flush(Collection<ActiveRun> running) {
    var updates = new JsonArray();
    var events = new JsonArray();
    for (var run : running) {
      if (run.endedByWorker) {
        continue;
      }
      var update = run.drainUpdate();
      if (update != null) {
        updates.add(update);
      }
      events.addAll(run.drainEvents());
    }
    if (!updates.isEmpty() || !events.isEmpty()) {
      queue.flush(updates, events, workerId)
          .onFailure(e -> LOG.warn("Worker {} could not write progress: {}", workerId, e.getMessage()));
    }
  }
}
