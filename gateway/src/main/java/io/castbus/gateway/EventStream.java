package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /api/events}: run lifecycle and progress as Server-Sent Events, and alerts as they fire
 * ({@code event: alert}, to unfiltered streams). One event-bus consumer per gateway
 * feeds every open stream; the last {@value #KEPT} events are kept so a client reconnecting with
 * {@code Last-Event-ID} misses nothing. Ids are the gateway's clock in microseconds, rising: a client whose last id
 * this gateway did not give, or no longer keeps — it comes from a gateway that has restarted since, from another
 * replica, or from long ago — is first sent the current state of every run changed since that time (less a margin
 * for clocks), read from the database, then an {@code event: resync}, then the live stream. A client that cannot keep up (its write queue full) is disconnected and
 * catches up on reconnect, so one slow reader never holds memory for the others. One user (all their keys and sessions)
 * may hold at most
 * {@code SSE_STREAMS_PER_USER} streams open on a gateway at once; more answer 429. A {@code user} key gets only the
 * events of its own runs (their owner asked of the runs service once per run) and no alerts; admins get everything.
 */
final class EventStream {

  static final int KEPT = 1000;
  /** How far before a foreign {@code Last-Event-ID}'s time a catch-up reaches back, for clocks a little apart. */
  static final long CLOCK_MARGIN_MILLIS = 2_000;
  static final long HEARTBEAT_MILLIS = 15_000;
  /** Events are written to each client at most this often, so a burst costs one write per client, not one per event. */
  static final long FLUSH_MILLIS = 10;
  /** A client with more than this waiting to be written is too slow: it is disconnected and catches up on reconnect. */
  static final int MAX_PENDING_CHARS = 1 << 20;
  private static final int MAX_OWNERS = 10_000;

  private record Event(long id, String kind, JsonObject data) {
  }

  /** {@code owner} is null for a client that sees every run (an admin), else the id of the user whose runs it sees. */
  private record Client(HttpServerResponse response, Long keyId, Long userId, Long owner, String job, String type,
      String run, StringBuilder pending) {
    boolean wants(JsonObject data) {
      return (job == null || job.equals(data.getString("job_id")))
          && (type == null || type.equals(data.getString("type")))
          && (run == null || run.equals(data.getString("run_id")));
    }
  }

  private final Vertx vertx;
  private final int streamsPerUser;
  /** Run id → its owner's id (null when none), asked of the runs service once per run while a user's stream is open. */
  private final Map<String, Future<Long>> owners = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Future<Long>> eldest) {
      return size() > MAX_OWNERS;
    }
  };
  private final ArrayDeque<Event> kept = new ArrayDeque<>();
  private final Set<Client> clients = new LinkedHashSet<>();
  /** The last id given; ids are the clock in microseconds, kept rising. */
  private long lastId = System.currentTimeMillis() * 1000;
  /** Every id after this one is still kept (or was never given): a client that saw it can be replayed from memory. */
  private long horizon = lastId;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> alerts;
  private long heartbeat = -1;
  private boolean flushScheduled;

  EventStream(Vertx vertx, int streamsPerUser) {
    this.vertx = vertx;
    this.streamsPerUser = streamsPerUser;
  }

  void start() {
    consumer = vertx.eventBus().consumer(Addresses.RUNS_UPDATES, msg -> publish(msg.body()));
    alerts = vertx.eventBus().consumer(Addresses.ALERTS_FIRED,
        msg -> publish(new JsonObject().put("kind", "alert").put("alert", msg.body())));
    heartbeat = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> {
      for (var client : Set.copyOf(clients)) {
        write(client, ": keep-alive\n\n");
      }
    });
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
      alerts.unregister();
    }
    vertx.cancelTimer(heartbeat);
    for (var client : Set.copyOf(clients)) {
      client.response().end();
    }
    clients.clear();
  }

  /**
   * Ends the streams opened with a revoked key ({@code key_id}) or by a deleted user ({@code user_id}); without
   * either, every stream opened with a key. Their clients reconnect and authenticate again.
   */
  void closeRevoked(JsonObject which) {
    var keyId = which == null ? null : which.getLong("key_id");
    var userId = which == null ? null : which.getLong("user_id");
    for (var client : Set.copyOf(clients)) {
      var match = keyId != null ? keyId.equals(client.keyId())
          : userId != null ? userId.equals(client.userId()) : client.keyId() != null;
      if (match) {
        clients.remove(client);
        client.response().end();
      }
    }
  }

  int clientCount() {
    return clients.size();
  }

  void handle(RoutingContext ctx) {
    var request = ctx.request();
    var principal = Authenticator.principal(ctx);
    var keyId = principal == null ? null : principal.keyId();
    var userId = principal == null ? null : principal.userId();
    // Counted per user, whichever of their keys or sessions opened them; local-open's keyless clients share one count.
    if (clients.stream().filter(c -> Objects.equals(userId, c.userId())).count() >= streamsPerUser) {
      ctx.fail(new ServiceError(429, "too_many_streams", (userId == null ? "keyless local clients already have "
          : "this user already has ") + streamsPerUser + " live streams open on this gateway; close one first"));
      return;
    }
    var owner = principal == null || principal.isAdmin() ? null : principal.userId();
    var client = new Client(ctx.response(), keyId, userId, owner, request.getParam("job"), request.getParam("type"),
        request.getParam("run"), new StringBuilder());
    var response = ctx.response()
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    response.closeHandler(v -> clients.remove(client));
    response.exceptionHandler(e -> clients.remove(client));
    write(client, "retry: 2000\n\n");
    var lastSeen = lastEventId(request.getHeader("Last-Event-ID"));
    if (lastSeen == null) {
      clients.add(client);
    } else if (keeps(lastSeen)) {
      clients.add(client);
      write(client, replay(client, lastSeen, new StringBuilder()).toString());
    } else {
      catchUp(client, lastSeen);
    }
  }

  /** Whether the events after {@code id} are all still kept here: this gateway gave {@code id} and kept what followed. */
  private boolean keeps(long id) {
    if (id == horizon) {
      return true;
    }
    if (id < horizon || id > lastId) {
      return false;
    }
    return kept.stream().anyMatch(event -> event.id() == id);
  }

  /** The kept events after {@code after} that the client wants, appended to {@code out}. */
  private StringBuilder replay(Client client, long after, StringBuilder out) {
    for (var event : kept) {
      if (event.id() > after && client.wants(event.data()) && knownToBelong(event.data(), client)) {
        out.append(frame(event));
      }
    }
    return out;
  }

  /**
   * Sends the current state of the runs (of the client's owner) changed since {@code lastSeen}'s time, as status and
   * progress events, then {@code resync}, then the events kept since the catch-up began; then the client goes live.
   */
  private void catchUp(Client client, long lastSeen) {
    var mark = lastId;
    var since = Instant.ofEpochMilli(lastSeen / 1000 - CLOCK_MARGIN_MILLIS);
    var query = new JsonObject().put("since", since.toString()).put("owner_id", client.owner());
    vertx.eventBus().<JsonObject>request(Addresses.RUNS_CHANGES, query, BusCall.OPTIONS).onComplete(ar -> {
      if (client.response().closed() || client.response().ended()) {
        return;
      }
      var out = new StringBuilder();
      var resync = new JsonObject().put("since", since.toString());
      if (ar.succeeded()) {
        var runs = ar.result().body().getJsonArray("runs");
        for (var i = 0; i < runs.size(); i++) {
          var run = runs.getJsonObject(i);
          if (client.wants(run)) {
            out.append(frame(new Event(mark, run.getString("kind"), run)));
          }
        }
        resync.put("runs", runs.size()).put("complete", ar.result().body().getBoolean("complete"));
      } else {
        resync.put("runs", 0).put("complete", false).put("error", "the runs could not be read now ("
            + ar.cause().getMessage() + "); read GET /api/runs");
      }
      out.append(frame(new Event(mark, "resync", resync)));
      clients.add(client);
      write(client, replay(client, mark, out).toString());
    });
  }

  private void publish(JsonObject data) {
    if (data == null) {
      return;
    }
    lastId = Math.max(lastId + 1, System.currentTimeMillis() * 1000);
    var event = new Event(lastId, data.getString("kind", "status"), data);
    kept.addLast(event);
    if (kept.size() > KEPT) {
      horizon = kept.removeFirst().id();
    }
    deliver(event, null);
    var runId = data.getString("run_id");
    if (runId != null && clients.stream().anyMatch(c -> c.owner() != null)) {
      // Futures complete in the order their callbacks were added, so a run's events keep their order.
      ownerOf(runId).onSuccess(owner -> deliver(event, owner));
    }
  }

  /** Queues the event for the clients that see everything ({@code owner} null), or for that owner's clients. */
  private void deliver(Event event, Long owner) {
    String text = null;
    for (var client : clients) {
      if ((owner == null ? client.owner() == null : owner.equals(client.owner())) && client.wants(event.data())) {
        text = text == null ? frame(event) : text;
        client.pending().append(text);
      }
    }
    if (text != null && !flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(FLUSH_MILLIS, t -> flush());
    }
  }

  private Future<Long> ownerOf(String runId) {
    return owners.computeIfAbsent(runId, id -> vertx.eventBus()
        .<JsonObject>request(Addresses.RUNS_GET, new JsonObject().put("id", id), BusCall.OPTIONS)
        .map(reply -> reply.body().getLong("owner_id"))
        .otherwise((Long) null));
  }

  /** For a replay: everything to an admin; to a user, only events of runs already known to be theirs. */
  private boolean knownToBelong(JsonObject data, Client client) {
    if (client.owner() == null) {
      return true;
    }
    var known = data.getString("run_id") == null ? null : owners.get(data.getString("run_id"));
    return known != null && known.succeeded() && client.owner().equals(known.result());
  }

  private void flush() {
    flushScheduled = false;
    for (var client : Set.copyOf(clients)) {
      var pending = client.pending();
      if (pending.length() > 0) {
        var text = pending.length() > MAX_PENDING_CHARS ? null : pending.toString();
        pending.setLength(0);
        if (text == null) {
          clients.remove(client);
          client.response().reset();
        } else {
          write(client, text);
        }
      }
    }
  }

  private void write(Client client, String text) {
    var response = client.response();
    if (response.closed() || response.ended()) {
      clients.remove(client);
      return;
    }
    if (response.writeQueueFull()) {
      clients.remove(client);
      response.reset();
      return;
    }
    response.write(text);
  }

  private static String frame(Event event) {
    return "id: " + event.id() + "\nevent: " + event.kind() + "\ndata: " + event.data().encode() + "\n\n";
  }

  /** The client's last id; a number that is no id at all is treated as none. */
  private static Long lastEventId(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
