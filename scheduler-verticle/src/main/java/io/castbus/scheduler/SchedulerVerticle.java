package io.castbus.scheduler;

import io.castbus.common.bus.JobsChanged;
import io.castbus.common.Addresses;
import io.castbus.common.BusService;
import io.castbus.common.ServiceError;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due jobs exactly once across every replica, and answers job control (list, get, update, trigger, pause,
 * resume) over the event bus. It sleeps until the earliest due time, with a short safety poll, and re-reads it
 * whenever jobs change anywhere in the cluster.
 */
public final class SchedulerVerticle extends VerticleBase {

  /** The most next fire times one answer gives. */
  private static final int MAX_PREVIEW = 50;

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
  static final Duration SAFETY_POLL = Duration.ofSeconds(5);
  static final int FIRE_BATCH = 500;

  private final Process process;
  private JobStore jobs;
  private RunQueue queue;
  private long timer = -1;
  private boolean firing;
  private boolean fireAgain;
  private io.vertx.core.Promise<Void> stopping;

  public SchedulerVerticle(Process process) {
    this.process = process;
  }

  @Override
  public Future<?> start() {
    jobs = new JobStore(process.pool(), process.settings().timeZone());
    queue = new RunQueue(vertx, process.pool());
    return Future.all(List.of(
            vertx.eventBus().<JsonObject>consumer(JobsChanged.ADDRESS, msg -> arm()).completion(),
            serve(Addresses.JOBS_LIST, q -> jobs.list().map(list -> new JsonObject().put("jobs", list))),
            serve(Addresses.JOBS_HEALTH, q -> jobs.list().map(list -> JobHealth.of(list, Instant.now()))),
            serve(Addresses.JOBS_GET, q -> jobs.get(id(q), preview(q))),
            serve(Addresses.JOBS_UPDATE, this::update),
            serve(Addresses.JOBS_PREVIEW, this::previewTrigger),
            serve(Addresses.JOBS_TRIGGER, this::trigger),
            serve(Addresses.JOBS_PAUSE, q -> changed(jobs.pause(id(q)), id(q))),
            serve(Addresses.JOBS_RESUME, q -> changed(jobs.resume(id(q)), id(q)))))
        .onSuccess(v -> fire());
  }

  /** {@code preview}: how many next fire times to answer, 1 to 50 (0 when not asked for). */
  private static int preview(JsonObject q) {
    return q.containsKey("preview") ? previewCount(q, "preview", 0) : 0;
  }

  /** How many fire times {@code field} asks for: 1 to {@value #MAX_PREVIEW}, {@code byDefault} when absent. */
  private static int previewCount(JsonObject q, String field, int byDefault) {
    var n = q.getInteger(field, byDefault);
    if (n < 1 || n > MAX_PREVIEW) {
      throw ServiceError.badRequest(field + " must be between 1 and " + MAX_PREVIEW + ", got " + n);
    }
    return n;
  }

  private Future<Void> serve(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return BusService.serve(vertx, address, handler);
  }


  private Future<JsonObject> update(JsonObject q) {
    var id = id(q);
    var triggerJson = q.getJsonObject("trigger");
    var maxInstances = q.getInteger("max_instances");
    if (triggerJson == null && maxInstances == null) {
      throw ServiceError.badRequest("give a trigger, max_instances, or both");
    }
    if (maxInstances != null && (maxInstances < 1 || maxInstances > 100)) {
      throw ServiceError.badRequest("max_instances must be between 1 and 100, got " + maxInstances);
    }
    var trigger = triggerJson == null ? null : firing(triggerJson);
    return changed(jobs.update(id, trigger, maxInstances), id);
  }

  /** The next {@code count} (1 to 50) times a trigger not yet saved would fire the job. */
  private Future<JsonObject> previewTrigger(JsonObject q) {
    var id = id(q);
    var count = previewCount(q, "count", 5);
    var trigger = firing(q.getJsonObject("trigger"));
    return jobs.exists(id).map(v -> new JsonObject().put("id", id).put("trigger", trigger.describe())
        .put("next_run_times", JobStore.times(trigger.upcoming(null, Instant.now(), null, count))));
  }

  /** A trigger from the API that fires at least once more: a one-off date already past is refused, saying so. */
  private Trigger firing(JsonObject json) {
    Trigger trigger;
    try {
      trigger = Trigger.fromJson(json, process.settings().timeZone());
    } catch (IllegalArgumentException e) {
      throw ServiceError.badRequest(e.getMessage());
    }
    if (trigger instanceof Trigger.Once once && !once.at().isAfter(Instant.now())) {
      throw ServiceError.badRequest("trigger.run_at " + once.at() + " is in the past: the job "
          + "would never fire again");
    }
    return trigger;
  }

  private Future<JsonObject> trigger(JsonObject q) {
    var id = id(q);
    return jobs.trigger(id, q.getJsonObject("payload"), q.getString("owner"), q.getLong("owner_id"), queue)
        .map(runId -> new JsonObject().put("run_id", runId.toString()).put("job_id", id));
  }

  private Future<JsonObject> changed(Future<Void> change, String id) {
    return change
        .onSuccess(v -> new JobsChanged(id).publish(vertx.eventBus()))
        .compose(v -> jobs.get(id));
  }

  private static String id(JsonObject q) {
    var id = q.getString("id");
    if (id == null || id.isBlank()) {
      throw ServiceError.badRequest("a job id is required");
    }
    return id;
  }

  /** Fires every due job, batch after batch, then sleeps until the next due time. */
  private void fire() {
    if (firing) {
      fireAgain = true;
      return;
    }
    firing = true;
    fireAgain = false;
    jobs.fireDue(Instant.now(), FIRE_BATCH).onComplete(ar -> {
      firing = false;
      if (stopping != null) {
        stopping.tryComplete();
        return;
      }
      if (ar.failed()) {
        LOG.warn("Could not fire due jobs: {}", ar.cause().getMessage());
        schedule(SAFETY_POLL.toMillis());
        return;
      }
      var fired = ar.result();
      queue.wake(fired.types());
      if (fired.locked() == FIRE_BATCH || fireAgain) {
        fire();
      } else {
        arm();
      }
    });
  }

  /** Sleeps until the earliest due time (at most the safety poll). */
  private void arm() {
    if (stopping != null) {
      return;
    }
    if (firing) {
      fireAgain = true;
      return;
    }
    jobs.nextDue().onComplete(ar -> {
      var wait = SAFETY_POLL.toMillis();
      if (ar.succeeded() && ar.result() != null) {
        wait = Math.min(wait, Math.max(0, ar.result().toEpochMilli() - System.currentTimeMillis()));
      }
      schedule(wait);
    });
  }

  private void schedule(long millis) {
    if (stopping != null) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = vertx.setTimer(Math.max(1, millis), t -> {
      timer = -1;
      fire();
    });
  }

  /** Stops firing; a firing transaction under way is let finish, so a stopped scheduler leaves no half work. */
  @Override
  public Future<?> stop() {
    stopping = io.vertx.core.Promise.promise();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (!firing) {
      stopping.complete();
    }
    return stopping.future();
  }
}
