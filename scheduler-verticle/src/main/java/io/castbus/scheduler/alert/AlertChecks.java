package io.castbus.scheduler.alert;

import io.castbus.common.queue.RunJson;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Turns what the database shows into alerts: failed runs, overrunning runs, backlogs, types no worker serves. */
final class AlertChecks {

  private static final int EVENTS_SHOWN = 8;

  private final Pool pool;
  private final RunQueue queue;
  private final AlertOptions options;

  AlertChecks(Pool pool, RunQueue queue, AlertOptions options) {
    this.pool = pool;
    this.queue = queue;
    this.options = options;
  }

  /** The alert for a run that failed for good, with its cause and its last events; empty if it is not failed. */
  Future<List<Alert>> failedRun(UUID id) {
    return queue.get(id).compose(found -> {
      if (found.isEmpty() || !"failed".equals(found.get().getString("status"))) {
        return Future.succeededFuture(List.of());
      }
      var run = found.get();
      return queue.events(id, 0, 1000).map(events -> List.of(failed(run, events)));
    });
  }

  /** The watched conditions as they stand now. */
  Future<List<Alert>> conditions() {
    var alerts = new ArrayList<Alert>();
    return pool.query(AlertSql.PRUNE_WORKERS).execute()
        .compose(v -> pool.preparedQuery(AlertSql.OVERRUNNING).execute(Tuple.of(options.overrunFactor(),
            options.overrunFloor().toSeconds(), options.overrunNoHistory().toSeconds())))
        .compose(rows -> {
          rows.forEach(row -> {
            var id = row.getUUID("id").toString();
            var type = row.getString("type");
            var running = Duration.ofSeconds(row.getDouble("running_s").longValue());
            var p95 = row.getDouble("p95_s");
            var usual = p95 == null ? "no completed " + type + " run to compare with"
                : "its type's p95 is " + human(Duration.ofMillis((long) (p95 * 1000)));
            alerts.add(new Alert("run_overrunning:" + id, Alert.RUN_OVERRUNNING, null,
                type + " run " + id + " has been running for " + human(running),
                "Run " + id + " (" + type + (row.getString("job_id") == null ? "" : ", job " + row.getString("job_id"))
                    + ") started at " + RunJson.time(row.getOffsetDateTime("started_at")) + " on worker "
                    + row.getString("worker_id") + " and has been running for " + human(running) + "; " + usual + ".",
                new JsonObject().put("run_id", id).put("type", type).put("running_s", running.toSeconds())
                    .put("p95_s", p95)));
          });
          return pool.preparedQuery(AlertSql.BACKLOG).execute(Tuple.of(options.backlogAfter().toSeconds()));
        })
        .compose(rows -> {
          rows.forEach(row -> {
            var type = row.getString("type");
            var queued = row.getLong("queued");
            var oldest = RunJson.time(row.getOffsetDateTime("oldest"));
            alerts.add(new Alert("queue_backlog:" + type, Alert.QUEUE_BACKLOG, null,
                queued + " " + type + " run(s) waiting for over " + human(options.backlogAfter()),
                queued + " queued " + type + " run(s) have been due for over " + human(options.backlogAfter())
                    + " (the oldest since " + oldest + "): the workers serving " + type + " are not keeping up.",
                new JsonObject().put("type", type).put("queued", queued).put("oldest_due", oldest)));
          });
          return pool.preparedQuery(AlertSql.NO_WORKER).execute(Tuple.of(options.workerSilence().toSeconds()));
        })
        .map(rows -> {
          rows.forEach(row -> {
            var type = row.getString("type");
            var queued = row.getLong("queued");
            var lastSeen = RunJson.time(row.getOffsetDateTime("last_seen"));
            var seen = lastSeen == null ? "no worker serving " + type + " has ever been seen"
                : "the last one was seen at " + lastSeen + " on " + row.getString("host");
            alerts.add(new Alert("no_worker:" + type, Alert.NO_WORKER, null,
                "no live worker serves " + type + " (" + queued + " run(s) waiting)",
                queued + " queued " + type + " run(s) are waiting and no running process serves " + type + "; " + seen
                    + ". Start (or scale up) the module that serves it.",
                new JsonObject().put("type", type).put("queued", queued).put("last_seen", lastSeen)));
          });
          return alerts;
        });
  }

  private static Alert failed(JsonObject run, JsonArray events) {
    var id = run.getString("id");
    var type = run.getString("type");
    var jobId = run.getString("job_id");
    var error = run.getJsonObject("error", new JsonObject());
    var cause = error.getString("message", "no cause was recorded");
    var text = new StringBuilder()
        .append("Run ").append(id).append(" (").append(type).append(jobId == null ? "" : ", job " + jobId)
        .append(") failed after ").append(run.getInteger("attempts")).append(" attempt(s)")
        .append(Boolean.TRUE.equals(error.getBoolean("permanent")) ? " (not retried: " + error.getString("code") + ")" : "")
        .append(":\n  ").append(cause).append("\n\nPayload: ").append(run.getJsonObject("payload").encode())
        .append("\n\nLast events:\n");
    for (var i = Math.max(0, events.size() - EVENTS_SHOWN); i < events.size(); i++) {
      var e = events.getJsonObject(i);
      text.append("  ").append(e.getString("at")).append(' ').append(e.getString("level").toUpperCase(Locale.ROOT))
          .append(' ').append(e.getString("context")).append(": ").append(e.getString("message")).append('\n');
    }
    text.append("\nDetails: GET /api/runs/").append(id).append(" and /api/runs/").append(id).append("/events");
    var key = "run_failed:" + type + ":" + (jobId == null ? "" : jobId) + ":" + run.getJsonObject("payload").encode();
    return new Alert(key.length() > 300 ? key.substring(0, 300) : key, Alert.RUN_FAILED, id,
        type + " failed: " + (cause.length() > 140 ? cause.substring(0, 140) + "…" : cause), text.toString(),
        new JsonObject().put("run_id", id).put("type", type).put("job_id", jobId).put("error", error)
            .put("payload", run.getJsonObject("payload")));
  }

  static String human(Duration d) {
    if (d.toHours() > 0) {
      return d.toHours() + " h " + d.toMinutesPart() + " min";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + " min" + (d.toSecondsPart() == 0 ? "" : " " + d.toSecondsPart() + " s");
    }
    return d.toSeconds() + " s";
  }
}
