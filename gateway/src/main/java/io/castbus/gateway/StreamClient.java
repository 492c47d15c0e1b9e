package io.castbus.gateway;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * One open live stream: what it asked to see, and the text waiting to be written to it. A client that cannot keep
 * up (its write queue full, or more than {@value #MAX_PENDING_CHARS} characters waiting) is reset: it reconnects
 * and catches up, so one slow reader never holds memory for the others.
 *
 * @param owner null for a client that sees every run (an admin), else the id of the user whose runs it sees
 */
record StreamClient(HttpServerResponse response, Long keyId, Long userId, Long owner, String job, String type,
    String run, StringBuilder pending) {

  static final int MAX_PENDING_CHARS = 1 << 20;

  boolean wants(JsonObject data) {
    return (job == null || job.equals(data.getString("job_id")))
        && (type == null || type.equals(data.getString("type")))
        && (run == null || run.equals(data.getString("run_id")));
  }

  /** Writes the text now; false when the client is gone or too slow (and then reset). */
  boolean write(String text) {
    if (response.closed() || response.ended()) {
      return false;
    }
    if (response.writeQueueFull()) {
      response.reset();
      return false;
    }
    response.write(text);
    return true;
  }

  /** Writes what is pending; false when the client is gone or too slow (and then reset). */
  boolean flush() {
    if (pending.isEmpty()) {
      return true;
    }
    var text = pending.length() > MAX_PENDING_CHARS ? null : pending.toString();
    pending.setLength(0);
    if (text == null) {
      response.reset();
      return false;
    }
    return write(text);
  }
}
