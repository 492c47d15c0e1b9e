package io.castbus.cluster;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A client of the gateway's {@code /api/events} stream that keeps every event it receives, with its id. */
final class SseReader implements AutoCloseable {

  record Event(long id, JsonObject data) {
  }

  private final List<Event> events = new ArrayList<>();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;

  /** Opens the stream, resuming after {@code lastEventId} when it is not null. */
  SseReader(String baseUrl, String apiKey, Long lastEventId) {
    var request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/events")).header("X-Api-Key", apiKey);
    if (lastEventId != null) {
      request.header("Last-Event-ID", String.valueOf(lastEventId));
    }
    response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
    response.thenAcceptAsync(r -> read(r.body()));
  }

  private void read(Stream<String> lines) {
    var id = new long[] {-1};
    try {
      lines.forEach(line -> {
        if (line.startsWith("id: ")) {
          id[0] = Long.parseLong(line.substring(4).trim());
        } else if (line.startsWith("data: ")) {
          synchronized (events) {
            events.add(new Event(id[0], new JsonObject(line.substring(6))));
          }
        }
      });
    } catch (RuntimeException e) {
      // the gateway went away: the stream simply ends, as a browser's EventSource would see it
    }
  }

  /** The events received so far that match. */
  List<Event> received(Predicate<JsonObject> which) {
    synchronized (events) {
      return events.stream().filter(e -> which.test(e.data())).toList();
    }
  }

  /** The id of the last event received, or null. */
  Long lastId() {
    synchronized (events) {
      return events.isEmpty() ? null : events.get(events.size() - 1).id();
    }
  }

  @Override
  public void close() {
    response.cancel(true);
    response.thenAccept(r -> r.body().close());
  }
}
