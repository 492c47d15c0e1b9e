package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * For a client whose last event id this gateway did not give, or no longer keeps: the current state of every run
 * (of the client's owner) changed since that id's time, less a margin for clocks, read from the database, as
 * status and progress events, then an {@code event: resync}.
 */
final class StreamCatchUp {

  /** How far before a foreign {@code Last-Event-ID}'s time a catch-up reaches back, for clocks a little apart. */
  static final long CLOCK_MARGIN_MILLIS = 2_000;

  private final Vertx vertx;

  StreamCatchUp(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The frames to send, each with id {@code mark}; never fails (a database that cannot answer says so in resync). */
  Future<String> frames(StreamClient client, long lastSeen, long mark) {
    var since = Instant.ofEpochMilli(lastSeen / 1000 - CLOCK_MARGIN_MILLIS);
    var query = new JsonObject().put("since", since.toString()).put("owner_id", client.owner());
    return vertx.eventBus().<JsonObject>request(Addresses.RUNS_CHANGES, query, BusCall.OPTIONS).transform(ar -> {
      var out = new StringBuilder();
      var resync = new JsonObject().put("since", since.toString());
      if (ar.succeeded()) {
        var runs = ar.result().body().getJsonArray("runs");
        for (var i = 0; i < runs.size(); i++) {
          var run = runs.getJsonObject(i);
          if (client.wants(run)) {
            out.append(new EventLog.Event(mark, run.getString("kind"), run).frame());
          }
        }
        resync.put("runs", runs.size()).put("complete", ar.result().body().getBoolean("complete"));
      } else {
        resync.put("runs", 0).put("complete", false).put("error", "the runs could not be read now ("
            + ar.cause().getMessage() + "); read GET /api/runs");
      }
      out.append(new EventLog.Event(mark, "resync", resync).frame());
      return Future.succeededFuture(out.toString());
    });
  }
}
