package io.castbus.common.queue;

import io.castbus.common.Addresses;
import io.castbus.common.BusService;
import io.castbus.common.PageCursor;
import io.castbus.common.ServiceError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Answers the runs API over the event bus: list and search, get, events, cancel, retry, delete, bulk actions,
 * charts, and the run types' pause and caps. Any number of replicas.
 */
public final class RunsService extends VerticleBase {

  public static final int MAX_LIMIT = 500;
  /** The most runs one catch-up of a live stream carries: the newest changes win. */
  public static final int CHANGES_LIMIT = 5000;
  private static final Duration DEPTH_EVERY = Duration.ofSeconds(5);

  private final RunQueue queue;
  private final BulkActions bulk;
  private RunTypeControl types;
  private long timer = -1;

  public RunsService(RunQueue queue) {
    this.queue = queue;
    this.bulk = new BulkActions(queue);
  }

  @Override
  public Future<?> start() {
    types = new RunTypeControl(vertx, queue.pool());
    var registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      var depth = MultiGauge.builder("castbus_queue_depth").description("Runs queued or running, by type and status")
          .register(registry);
      timer = vertx.setPeriodic(1, DEPTH_EVERY.toMillis(), t -> queue.depth().onSuccess(rows -> {
        var gauges = new ArrayList<MultiGauge.Row<?>>();
        rows.forEach(row -> gauges.add(MultiGauge.Row.of(
            Tags.of("type", row.getString("type"), "status", row.getString("status")), row.getLong("runs"))));
        depth.register(gauges, true);
      }));
    }
    return Future.all(List.of(
        serve(Addresses.RUNS_LIST, this::list),
        serve(Addresses.RUNS_GET, this::get),
        serve(Addresses.RUNS_EVENTS, this::events),
        serve(Addresses.RUNS_CHANGES, this::changes),
        serve(Addresses.RUNS_CANCEL_REQUEST, this::cancel),
        serve(Addresses.RUNS_DELETE, this::delete),
        serve(Addresses.RUNS_RETRY, this::retry),
        serve(Addresses.RUNS_BULK, this::bulk),
        serve(Addresses.RUN_ACTIONS_LIST, this::actions),
        serve(Addresses.RUNS_STATS, this::stats),
        serve(Addresses.RUN_TYPES_LIST, q -> types.list().map(list -> new JsonObject().put("run_types", list))),
        serve(Addresses.RUN_TYPES_UPDATE, this::updateType)));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Void> serve(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return BusService.serve(vertx, address, handler);
  }


  private Future<JsonObject> list(JsonObject q) {
    var limit = q.getInteger("limit", 50);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ServiceError.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    var cursor = q.getString("cursor");
    var after = cursor == null ? null : PageCursor.decode(cursor);
    if (after != null) {
      after.uuid(); // a run's cursor names a run id: anything else is refused here, not by the database
    }
    var fields = new JsonObject();
    for (var name : RunSearch.FIELDS) {
      if (q.getValue(name) != null) {
        fields.put(name, q.getValue(name));
      }
    }
    return queue.list(RunSearch.from(fields, q.getLong("owner_id")), limit, after).map(page -> new JsonObject()
        .put("runs", page.runs())
        .put("next_cursor", page.next() == null ? null : page.next().encode()));
  }

  /** A bulk action: {@code owner_id}, when set, keeps it to that user's runs whatever the filter says. */
  private Future<JsonObject> bulk(JsonObject q) {
    var action = BulkActions.Action.parse(q.getString("action"));
    var filter = q.getValue("filter");
    if (filter != null && !(filter instanceof JsonObject)) {
      throw ServiceError.badRequest("filter must be an object of " + String.join(", ",
          RunSearch.FIELDS.stream().sorted().toList()));
    }
    var search = RunSearch.from(filter == null ? new JsonObject() : (JsonObject) filter, q.getLong("owner_id"));
    return bulk.run(action, search, q.getString("actor", "unknown"), q.getLong("actor_id"));
  }

  private Future<JsonObject> actions(JsonObject q) {
    return bulk.recent(q.getLong("actor_id"), Math.min(Math.max(q.getInteger("limit", 50), 1), MAX_LIMIT))
        .map(list -> new JsonObject().put("actions", list));
  }

  private Future<JsonObject> stats(JsonObject q) {
    return types.stats(q.getString("job"), q.getString("type"));
  }

  /** {@code {"type", "paused"}} pauses or resumes; {@code {"type", "concurrency"}} caps (null: the default). */
  private Future<JsonObject> updateType(JsonObject q) {
    var type = q.getString("type");
    var actor = q.getString("actor", "unknown");
    var actorId = q.getLong("actor_id");
    if (q.containsKey("paused")) {
      return types.pause(type, q.getBoolean("paused"), actor, actorId);
    }
    if (!q.containsKey("concurrency")) {
      throw ServiceError.badRequest("give concurrency: a number between 1 and " + RunTypeControl.MAX_CAP
          + ", or null for the workers' default");
    }
    var value = q.getValue("concurrency");
    if (value != null && !(value instanceof Integer)) {
      throw ServiceError.badRequest("concurrency must be a whole number between 1 and " + RunTypeControl.MAX_CAP
          + ", got " + value);
    }
    return types.cap(type, (Integer) value, actor, actorId);
  }

  private Future<JsonObject> get(JsonObject q) {
    var id = runId(q);
    return queue.get(id).map(run -> run.orElseThrow(() -> noRun(id)));
  }

  private Future<JsonObject> events(JsonObject q) {
    var id = runId(q);
    var limit = q.getInteger("limit", 1000);
    return queue.status(id).compose(status -> {
      if (status.isEmpty()) {
        return Future.failedFuture(noRun(id));
      }
      return queue.events(id, q.getLong("after", 0L), Math.min(Math.max(limit, 1), 5000))
          .map(events -> new JsonObject().put("run_id", id.toString()).put("events", events));
    });
  }

  private Future<JsonObject> changes(JsonObject q) {
    OffsetDateTime since;
    try {
      since = OffsetDateTime.ofInstant(Instant.parse(q.getString("since", "")), ZoneOffset.UTC);
    } catch (RuntimeException e) {
      throw ServiceError.badRequest("since must be an ISO-8601 instant, got '" + q.getString("since") + "'");
    }
    var limit = Math.min(Math.max(q.getInteger("limit", CHANGES_LIMIT), 1), CHANGES_LIMIT);
    return queue.changedSince(since, q.getLong("owner_id"), limit + 1).map(runs -> {
      var complete = runs.size() <= limit;
      if (!complete) {
        runs.remove(0);
      }
      return new JsonObject().put("runs", runs).put("complete", complete);
    });
  }

  private Future<JsonObject> cancel(JsonObject q) {
    var id = runId(q);
    return queue.requestCancel(id).compose(outcome -> switch (outcome) {
      case NOT_FOUND -> Future.failedFuture(noRun(id));
      case ALREADY_FINISHED -> queue.status(id).compose(s -> Future.failedFuture(
          ServiceError.conflict("run " + id + " is already " + s.orElse("finished") + " and cannot be cancelled")));
      case CANCELLED, REQUESTED -> queue.get(id).map(run -> run.orElseThrow(() -> noRun(id)));
    });
  }

  private Future<JsonObject> retry(JsonObject q) {
    var id = runId(q);
    return queue.retry(id).compose(retried -> {
      if (retried.runId() != null) {
        return Future.succeededFuture(new JsonObject().put("run_id", retried.runId().toString())
            .put("retry_of", id.toString()));
      }
      if (retried.refusedStatus() != null) {
        return Future.failedFuture(ServiceError.conflict("run " + id + " is " + retried.refusedStatus()
            + ": only a failed or cancelled run can be retried"));
      }
      return Future.failedFuture(noRun(id));
    });
  }

  private Future<JsonObject> delete(JsonObject q) {
    var id = runId(q);
    return queue.deleteFinished(id).compose(outcome -> switch (outcome) {
      case NOT_FOUND -> Future.failedFuture(noRun(id));
      case NOT_FINISHED -> Future.failedFuture(ServiceError.conflict(
          "run " + id + " is still queued or running; cancel it first"));
      case DELETED -> Future.succeededFuture(new JsonObject().put("deleted", true).put("id", id.toString()));
    });
  }

  private static UUID runId(JsonObject q) {
    var id = q.getString("id");
    try {
      return UUID.fromString(id);
    } catch (RuntimeException e) {
      throw ServiceError.notFound("no run with id '" + id + "'");
    }
  }

  private static ServiceError noRun(UUID id) {
    return ServiceError.notFound("no run with id " + id);
  }
}
