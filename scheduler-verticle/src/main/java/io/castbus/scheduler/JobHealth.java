package io.castbus.scheduler;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * Each job's health (seed 001) from its listing: {@code failing} when its last run failed or most recent runs did,
 * {@code overdue} when it should have fired and has not, {@code backlogged} when its runs wait longer than they should.
 */
final class JobHealth {

  static final Duration OVERDUE_AFTER = Duration.ofMinutes(2);
  static final Duration BACKLOG_AFTER = Duration.ofMinutes(15);

  private JobHealth() {
  }

  static JsonObject of(JsonArray jobs, Instant now) {
    var out = new JsonArray();
    var unhealthy = 0;
    for (var i = 0; i < jobs.size(); i++) {
      var job = jobs.getJsonObject(i);
      var reasons = new JsonArray();
      var status = "ok";
      var stats = job.getJsonObject("stats");
      var last = job.getJsonObject("last_run");
      var failureRate = stats.getDouble("failure_rate");
      if (last != null && "failed".equals(last.getString("status"))) {
        status = "failing";
        reasons.add("its last run failed (" + last.getString("id") + ")");
      } else if (failureRate != null && failureRate >= 0.5 && stats.getLong("runs") >= 2) {
        status = "failing";
        reasons.add(Math.round(failureRate * 100) + " % of its recent runs failed");
      }
      var next = job.getString("next_run_time");
      if (next != null && Instant.parse(next).plus(OVERDUE_AFTER).isBefore(now)) {
        status = status.equals("ok") ? "overdue" : status;
        reasons.add("due at " + next + " and not fired yet: is a scheduler running?");
      }
      var oldest = stats.getString("oldest_queued_at");
      if (oldest != null && Instant.parse(oldest).plus(BACKLOG_AFTER).isBefore(now)) {
        status = status.equals("ok") ? "backlogged" : status;
        reasons.add("a run has waited in the queue since " + oldest + ": is a worker serving "
            + job.getString("run_type") + " running?");
      }
      if (!status.equals("ok")) {
        unhealthy++;
      }
      out.add(new JsonObject()
          .put("id", job.getString("id"))
          .put("name", job.getString("name"))
          .put("status", status)
          .put("reasons", reasons)
          .put("paused", job.getBoolean("paused"))
          .put("next_run_time", next)
          .put("last_run", last)
          .put("stats", stats));
    }
    return new JsonObject().put("status", unhealthy == 0 ? "ok" : "degraded").put("unhealthy", unhealthy)
        .put("jobs", out);
  }
}
