package io.castbus.common.job;

import io.castbus.common.queue.Priority;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * A job as the verticle that serves it declares it at start. What a user changed since (trigger, paused state,
 * max instances) is kept.
 *
 * @param runOnStartup  fire {@code initialDelay} after registration, then follow the trigger
 * @param startPaused   register paused (e.g. a feature switched off by configuration)
 */
public record JobDefinition(
    String id, String name, String runType, JsonObject payload, Trigger trigger, Priority priority,
    int maxInstances, boolean runOnStartup, Duration initialDelay, boolean startPaused) {

  public static JobDefinition of(String id, String name, String runType, Trigger trigger) {
    return new JobDefinition(id, name, runType, new JsonObject(), trigger, Priority.NORMAL, 1, false,
        Duration.ofSeconds(10), false);
  }

  public JobDefinition onStartup(Duration delay) {
    return new JobDefinition(id, name, runType, payload, trigger, priority, maxInstances, true, delay, startPaused);
  }

  public JobDefinition priority(Priority p) {
    return new JobDefinition(id, name, runType, payload, trigger, p, maxInstances, runOnStartup, initialDelay,
        startPaused);
  }

  public JobDefinition maxInstances(int n) {
    return new JobDefinition(id, name, runType, payload, trigger, priority, n, runOnStartup, initialDelay,
        startPaused);
  }

  public JobDefinition paused(boolean paused) {
    return new JobDefinition(id, name, runType, payload, trigger, priority, maxInstances, runOnStartup, initialDelay,
        paused);
  }

  public JobDefinition payload(JsonObject p) {
    return new JobDefinition(id, name, runType, p, trigger, priority, maxInstances, runOnStartup, initialDelay,
        startPaused);
  }
}
