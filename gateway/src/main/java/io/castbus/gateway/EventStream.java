package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.common.bus.AuthRevoked;
import io.castbus.common.bus.RunUpdate;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /api/events}: run lifecycle and progress as Server-Sent Events, and alerts as they fire
 * ({@code event: alert}, to admins). One event-bus consumer per gateway feeds every open stream. The parts: the
 * {@link EventLog} gives ids and keeps the last events, so a client reconnecting with {@code Last-Event-ID} misses
 * nothing; a client whose last id this gateway did not give or no longer keeps gets a {@link StreamCatchUp} from
 * the database first; {@link RunOwners} says whose each run is, so a {@code user} key sees only its own runs and no
 * alerts; each {@link StreamClient} is written at most every {@value #FLUSH_MILLIS} ms and reset when it cannot
 * keep up. One user (all their keys and sessions) may hold at most {@code SSE_STREAMS_PER_USER} streams open on a
 * gateway at once; more answer 429.
 */
final class EventStream {

  static final long HEARTBEAT_MILLIS = 15_000;
  /** Events are written to each client at most this often, so a burst costs one write per client, not one per event. */
  static final long FLUSH_MILLIS = 10;

  private final Vertx vertx;
  private final int streamsPerUser;
  private final EventLog log = new EventLog();
  private final RunOwners owners;
  private final StreamCatchUp catchUp;
  private final Set<StreamClient> clients = new LinkedHashSet<>();
  private MessageConsumer<JsonObject> updates;
  private MessageConsumer<JsonObject> alerts;
  private long heartbeat = -1;
  private boolean flushScheduled;

  EventStream(Vertx vertx, int streamsPerUser) {
    this.vertx = vertx;
    this.streamsPerUser = streamsPerUser;
    this.owners = new RunOwners(vertx);
    this.catchUp = new StreamCatchUp(vertx);
  }

  /** Completes when both consumers are registered (cluster-wide in a cluster). */
  Future<Void> start() {
    updates = vertx.eventBus().consumer(RunUpdate.ADDRESS, msg -> publish(msg.body()));
    alerts = vertx.eventBus().consumer(Addresses.ALERTS_FIRED,
        msg -> publish(new JsonObject().put("kind", "alert").put("alert", msg.body())));
    heartbeat = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> {
      for (var client : Set.copyOf(clients)) {
        write(client, ": keep-alive\n\n");
      }
    });
    return Future.all(updates.completion(), alerts.completion()).mapEmpty();
  }

  void stop() {
    if (updates != null) {
      updates.unregister();
      alerts.unregister();
    }
    vertx.cancelTimer(heartbeat);
    for (var client : Set.copyOf(clients)) {
      client.response().end();
    }
    clients.clear();
  }

  /**
   * Ends the streams opened with a revoked key or by a deleted user; for keys in general, every stream opened with
   * a key. Their clients reconnect and authenticate again.
   */
  void closeRevoked(AuthRevoked which) {
    var keyId = which.keyId();
    var userId = which.userId();
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
    var client = new StreamClient(ctx.response(), keyId, userId, owner, request.getParam("job"),
        request.getParam("type"), request.getParam("run"), new StringBuilder());
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
    } else if (log.keepsAfter(lastSeen)) {
      clients.add(client);
      write(client, replay(client, lastSeen, new StringBuilder()).toString());
    } else {
      // The catch-up, then the events kept since it began; then the client goes live.
      var mark = log.lastId();
      catchUp.frames(client, lastSeen, mark).onSuccess(frames -> {
        if (client.response().closed() || client.response().ended()) {
          return;
        }
        clients.add(client);
        write(client, replay(client, mark, new StringBuilder(frames)).toString());
      });
    }
  }

  /** The kept events after {@code after} that the client wants and may see, appended to {@code out}. */
  private StringBuilder replay(StreamClient client, long after, StringBuilder out) {
    for (var event : log.after(after)) {
      if (client.wants(event.data())
          && (client.owner() == null || owners.knownToBe(event.data().getString("run_id"), client.owner()))) {
        out.append(event.frame());
      }
    }
    return out;
  }

  private void publish(JsonObject data) {
    if (data == null) {
      return;
    }
    var event = log.append(data);
    deliver(event, null);
    var runId = data.getString("run_id");
    if (runId != null && clients.stream().anyMatch(c -> c.owner() != null)) {
      owners.of(runId).onSuccess(owner -> deliver(event, owner));
    }
  }

  /** Queues the event for the clients that see everything ({@code owner} null), or for that owner's clients. */
  private void deliver(EventLog.Event event, Long owner) {
    String text = null;
    for (var client : clients) {
      if ((owner == null ? client.owner() == null : owner.equals(client.owner())) && client.wants(event.data())) {
        text = text == null ? event.frame() : text;
        client.pending().append(text);
      }
    }
    if (text != null && !flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(FLUSH_MILLIS, t -> flush());
    }
  }

  private void flush() {
    flushScheduled = false;
    for (var client : Set.copyOf(clients)) {
      if (!client.flush()) {
        clients.remove(client);
      }
    }
  }

  private void write(StreamClient client, String text) {
    if (!client.write(text)) {
      clients.remove(client);
    }
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
