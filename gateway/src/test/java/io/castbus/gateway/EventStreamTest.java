package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("GET /api/events: run lifecycle as Server-Sent Events, filtered, resumable with Last-Event-ID")
class EventStreamTest {

  @TempDir
  static Path data;
  static GatewayFixture fixture;
  static ApiClient api;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_events", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    api = fixture.api();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  record Event(String id, String name, JsonObject data) {
  }

  /** Reads an SSE stream on a background thread into a queue of events. */
  static BlockingQueue<Event> open(String query, String lastEventId) throws Exception {
    return open(GatewayFixture.ADMIN_KEY, query, lastEventId);
  }

  static BlockingQueue<Event> open(String key, String query, String lastEventId) throws Exception {
    var builder = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/events" + query))
        .header("X-Api-Key", key);
    if (lastEventId != null) {
      builder.header("Last-Event-ID", lastEventId);
    }
    var response = HttpClient.newHttpClient().send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    var events = new LinkedBlockingQueue<Event>();
    var reader = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String id = null;
        String name = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("event: ")) {
            name = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(new Event(id, name, new JsonObject(line.substring(6))));
          }
        }
      } catch (Exception ignored) {
        // the stream ends with the test
      }
    });
    reader.setDaemon(true);
    reader.start();
    return events;
  }

  static List<Event> untilStatus(BlockingQueue<Event> events, String runId, String status) throws Exception {
    var seen = new ArrayList<Event>();
    var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      var event = events.poll(100, TimeUnit.MILLISECONDS);
      if (event == null) {
        continue;
      }
      seen.add(event);
      if (runId.equals(event.data().getString("run_id")) && status.equals(event.data().getString("status"))) {
        return seen;
      }
    }
    throw new AssertionError("no " + status + " event for run " + runId + "; saw " + seen);
  }

  @Test
  @DisplayName("a triggered run's status events arrive in order; a filter for another job sees none of them")
  void lifecycle() throws Exception {
    var mine = open("?job=expire_runs", null);
    var others = open("?job=refresh_podcasts", null);
    var triggered = api.post("/api/jobs/expire_runs/trigger", null);
    assertThat(triggered.status()).as(triggered.toString()).isEqualTo(202);
    var runId = triggered.json().getString("run_id");

    var seen = untilStatus(mine, runId, "completed").stream()
        .filter(e -> runId.equals(e.data().getString("run_id"))).toList();
    assertThat(seen).extracting(e -> e.data().getString("status")).containsSubsequence("running", "completed");
    assertThat(seen).allSatisfy(e -> {
      assertThat(e.name()).isIn("status", "progress");
      assertThat(e.data().getString("job_id")).isEqualTo("expire_runs");
      assertThat(e.id()).isNotBlank();
    });
    assertThat(others.poll(300, TimeUnit.MILLISECONDS)).isNull();

    // Reconnecting with the id of the first event replays what came after it.
    var first = seen.get(0);
    var replayed = open("?run=" + runId, first.id());
    var again = untilStatus(replayed, runId, "completed");
    assertThat(again).extracting(Event::id).doesNotContain(first.id());
  }

  @Test
  @DisplayName("a Last-Event-ID this gateway never gave (a restart, another replica) first brings the current state "
      + "of every run changed since that time, from the database, then a resync event, then the live stream")
  void catchUpFromTheDatabase() throws Exception {
    var before = System.currentTimeMillis() * 1000;
    var triggered = api.post("/api/jobs/expire_runs/trigger", null);
    assertThat(triggered.status()).isEqualTo(202);
    var runId = triggered.json().getString("run_id");
    api.awaitRun(runId, "completed", java.time.Duration.ofSeconds(30));

    // An admin of its own: the streams the other tests left open count against the fixture's key.
    var admin = api.post("/api/admin/users", new JsonObject().put("name", "catching-up").put("role", "admin").encode());
    assertThat(admin.status()).isEqualTo(201);
    var key = admin.json().getString("api_key");
    // An id from another gateway's clock, a moment before the run: never given here, so not in memory.
    var resumed = open(key, "?job=expire_runs", String.valueOf(before - 1));
    var caughtUp = new ArrayList<Event>();
    Event resync = null;
    while (resync == null) {
      var event = resumed.poll(30, TimeUnit.SECONDS);
      assertThat(event).as("events before the resync: " + caughtUp).isNotNull();
      if ("resync".equals(event.name())) {
        resync = event;
      } else {
        caughtUp.add(event);
      }
    }
    assertThat(caughtUp).filteredOn(e -> runId.equals(e.data().getString("run_id")))
        .singleElement().satisfies(e -> {
          assertThat(e.name()).isEqualTo("status");
          assertThat(e.data().getString("status")).isEqualTo("completed");
          assertThat(e.data().getString("job_id")).isEqualTo("expire_runs");
        });
    assertThat(caughtUp).allSatisfy(e -> assertThat(e.data().getString("job_id")).isEqualTo("expire_runs"));
    assertThat(resync.data().getBoolean("complete")).isTrue();
    assertThat(Long.parseLong(resync.id())).isGreaterThan(before);

    // Then live: a new run's events follow on the same stream.
    var next = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
    untilStatus(resumed, next, "completed");

    // A client resuming from the id it last saw here is replayed from memory, with no second catch-up.
    var again = open(key, "?job=expire_runs", resync.id());
    var replayed = untilStatus(again, next, "completed");
    assertThat(replayed).extracting(Event::name).doesNotContain("resync");
  }

  @Test
  @DisplayName("a user's stream carries the events of their own runs only; an admin's carries everyone's")
  void usersSeeTheirOwnRuns() throws Exception {
    var keys = new java.util.HashMap<String, String>();
    var ids = new java.util.HashMap<String, Long>();
    for (var name : java.util.List.of("ursula", "victor")) {
      var made = api.post("/api/admin/users", new io.vertx.core.json.JsonObject().put("name", name).put("role", "user")
          .encode());
      assertThat(made.status()).isEqualTo(201);
      keys.put(name, made.json().getString("api_key"));
      ids.put(name, made.json().getLong("id"));
    }
    var ursula = open(keys.get("ursula"), "", null);
    var victor = open(keys.get("victor"), "", null);
    var admin = open("", null);
    var queue = new io.castbus.common.queue.RunQueue(fixture.vertx, fixture.process.pool());
    var runId = Waits.await(queue.enqueue(io.castbus.common.queue.NewRun.of(GatewayFixture.BLOCKING,
        new io.vertx.core.json.JsonObject()).owner("ursula", ids.get("ursula")))).toString();
    untilStatus(ursula, runId, "running");
    assertThat(api.post("/api/runs/" + runId + "/cancel", null).status()).isEqualTo(200);
    assertThat(untilStatus(ursula, runId, "cancelled")).extracting(e -> e.data().getString("run_id"))
        .containsOnly(runId);
    untilStatus(admin, runId, "cancelled");
    var adminRun = api.post("/api/jobs/expire_runs/trigger", null).json().getString("run_id");
    untilStatus(admin, adminRun, "completed");

    // Catching up from the database after a foreign Last-Event-ID keeps to the same rule.
    var longAgo = String.valueOf((System.currentTimeMillis() - 60_000) * 1000);
    var victorAgain = caughtUp(open(keys.get("victor"), "", longAgo));
    assertThat(victorAgain).as("victor's catch-up").isEmpty();
    var ursulaAgain = caughtUp(open(keys.get("ursula"), "", longAgo));
    assertThat(ursulaAgain).extracting(e -> e.data().getString("run_id")).containsOnly(runId);
    assertThat(ursulaAgain).last().satisfies(e -> assertThat(e.data().getString("status")).isEqualTo("cancelled"));

    // On the live streams, a run of each user's own, published after the others: once each sees theirs, anything
    // of the others' runs sent to them would already have arrived.
    var victorsOwn = ownRun(queue, "victor", ids.get("victor"));
    assertThat(untilStatus(victor, victorsOwn, "running")).as("victor sees nobody else's runs")
        .extracting(e -> e.data().getString("run_id")).containsOnly(victorsOwn);
    var ursulasOwn = ownRun(queue, "ursula", ids.get("ursula"));
    assertThat(untilStatus(ursula, ursulasOwn, "running")).as("ursula does not see the admin's run")
        .extracting(e -> e.data().getString("run_id")).doesNotContain(adminRun).isSubsetOf(runId, ursulasOwn);
    for (var own : List.of(victorsOwn, ursulasOwn)) {
      assertThat(api.post("/api/runs/" + own + "/cancel", null).status()).isEqualTo(200);
    }
  }

  private static String ownRun(io.castbus.common.queue.RunQueue queue, String owner, long ownerId) {
    return Waits.await(queue.enqueue(io.castbus.common.queue.NewRun.of(GatewayFixture.BLOCKING,
        new io.vertx.core.json.JsonObject()).owner(owner, ownerId))).toString();
  }

  /** The events a stream sends before its {@code resync}. */
  private static List<Event> caughtUp(BlockingQueue<Event> events) throws Exception {
    var before = new ArrayList<Event>();
    while (true) {
      var event = events.poll(30, TimeUnit.SECONDS);
      assertThat(event).as("no resync after " + before).isNotNull();
      if ("resync".equals(event.name())) {
        return before;
      }
      before.add(event);
    }
  }
}
