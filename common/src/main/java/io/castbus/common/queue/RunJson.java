package io.castbus.common.queue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The API shape of runs and run events (SPEC §3), built from database rows. */
public final class RunJson {

  private RunJson() {
  }

  public static JsonObject run(Row row) {
    var started = row.getOffsetDateTime("started_at");
    var finished = row.getOffsetDateTime("finished_at");
    var progress = row.getJsonObject("progress");
    var json = new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("type", row.getString("type"))
        .put("job_id", row.getString("job_id"))
        .put("parent_id", row.getUUID("parent_id") == null ? null : row.getUUID("parent_id").toString())
        .put("retry_of", row.getColumnIndex("retry_of") < 0 || row.getUUID("retry_of") == null ? null
            : row.getUUID("retry_of").toString())
        .put("payload", row.getJsonObject("payload"))
        .put("subject", row.getColumnIndex("subject") < 0 ? null : row.getString("subject"))
        .put("owner", row.getString("owner"))
        .put("owner_id", row.getLong("owner_id"))
        .put("priority", Priority.ofRank(row.getInteger("priority")).wire())
        .put("status", row.getString("status"))
        .put("attempts", row.getInteger("attempts"))
        .put("max_attempts", row.getInteger("max_attempts"))
        .put("cancel_requested", row.getBoolean("cancel_requested"))
        .put("progress", progress == null ? new JsonObject().put("current", 0).put("total", null).put("message", null)
            : progress)
        .put("result", row.getJsonObject("result"))
        .put("error", row.getJsonObject("error"))
        .put("worker", row.getString("worker_id"))
        .put("not_before", time(row.getOffsetDateTime("not_before")))
        .put("due_at", time(row.getOffsetDateTime("due_at")))
        .put("created_at", time(row.getOffsetDateTime("created_at")))
        .put("started_at", time(started))
        .put("finished_at", time(finished))
        .put("duration_ms", started != null && finished != null ? Duration.between(started, finished).toMillis() : null);
    if (row.getColumnIndex("output") >= 0) {
      var output = new JsonArray();
      var lines = row.getArrayOfStrings("output");
      if (lines != null) {
        for (var line : lines) {
          output.add(line);
        }
      }
      json.put("output", output);
    }
    return json;
  }

  public static JsonObject event(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("at", time(row.getOffsetDateTime("at")))
        .put("level", row.getString("level"))
        .put("context", row.getString("context"))
        .put("message", row.getString("message"))
        .put("metadata", row.getJsonObject("metadata"));
  }

  /** ISO-8601 in UTC with a Z, as every time in the API. */
  public static String time(OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
