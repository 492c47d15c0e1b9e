package io.castbus.common.queue;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Log lines about one run carry its identity as key-value pairs ({@code run_id}, {@code type}, {@code job}, and
 * {@code podcast} or {@code episode} from the payload): {@code LOG_FORMAT=json} writes them as fields, so the lines of
 * one run, job or podcast can be found whichever thread or process wrote them.
 */
public final class RunLog {

  private RunLog() {
  }

  public static LoggingEventBuilder at(Logger log, Level level, RunContext ctx) {
    return at(log, level, ctx.runId(), ctx.type(), ctx.jobId(), ctx.payload());
  }

  public static LoggingEventBuilder at(Logger log, Level level, UUID runId, String type, String jobId,
      JsonObject payload) {
    var builder = log.atLevel(level).addKeyValue("run_id", runId).addKeyValue("type", type);
    if (jobId != null) {
      builder = builder.addKeyValue("job", jobId);
    }
    if (payload != null && payload.getValue("podcast_id") != null) {
      builder = builder.addKeyValue("podcast", payload.getValue("podcast_id"));
    }
    if (payload != null && payload.getValue("episode_id") != null) {
      builder = builder.addKeyValue("episode", payload.getValue("episode_id"));
    }
    return builder;
  }
}
