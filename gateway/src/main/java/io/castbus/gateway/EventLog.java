package io.castbus.gateway;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * The live stream's event ids and replay buffer: ids are this gateway's clock in microseconds, always rising; the
 * last {@value #KEPT} events are kept, so a client reconnecting with one of their ids is replayed from memory.
 */
final class EventLog {

  static final int KEPT = 1000;

  /** One event of the stream; {@code kind} is its SSE {@code event:} name. */
  record Event(long id, String kind, JsonObject data) {

    String frame() {
      return "id: " + id + "\nevent: " + kind + "\ndata: " + data.encode() + "\n\n";
    }
  }

  private final ArrayDeque<Event> kept = new ArrayDeque<>();
  /** The last id given. */
  private long lastId = System.currentTimeMillis() * 1000;
  /** Every id after this one is still kept (or was never given): a client that saw it can be replayed from memory. */
  private long horizon = lastId;

  /** Gives the data the next id and keeps it. */
  Event append(JsonObject data) {
    lastId = Math.max(lastId + 1, System.currentTimeMillis() * 1000);
    var event = new Event(lastId, data.getString("kind", "status"), data);
    kept.addLast(event);
    if (kept.size() > KEPT) {
      horizon = kept.removeFirst().id();
    }
    return event;
  }

  long lastId() {
    return lastId;
  }

  /** Whether the events after {@code id} are all still kept here: this gateway gave {@code id} and kept what followed. */
  boolean keepsAfter(long id) {
    if (id == horizon) {
      return true;
    }
    if (id < horizon || id > lastId) {
      return false;
    }
    return kept.stream().anyMatch(event -> event.id() == id);
  }

  /** The kept events after {@code id}, oldest first. */
  Iterable<Event> after(long id) {
    return kept.stream().filter(event -> event.id() > id)::iterator;
  }
}
