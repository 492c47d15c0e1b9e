package io.castbus.common.queue;

import io.castbus.common.bus.RunCancel;
import io.castbus.common.bus.RunTypesChanged;
import io.castbus.common.bus.RunsWake;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves run types from the durable queue. Create it in a verticle's {@code start()} and stop it in {@code stop()};
 * all its state lives on that verticle's context. It wires its parts: a {@link ClaimLoop} per type, the
 * {@link Attempts} it executes (outcomes through {@link FailurePolicy} and the {@link CompletionBatcher}), a
 * {@link LeaseKeeper} and a {@link ProgressFlusher} on timers; on stop it hands its runs back. Expired leases are
 * reaped by the process's {@link LeaseReaper}, not here.
 *
 * <pre>{@code
 * worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
 *     .serve("refresh_feed", JobTypeOptions.DEFAULTS, refresher::refresh);
 * return worker.start();
 * }</pre>
 */
public final class Worker {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final RunQueue queue;
  private final WorkerOptions options;
  private final String id;
  private final Map<String, ClaimLoop> loops = new LinkedHashMap<>();
  private final Attempts attempts;
  private final LeaseKeeper leases;
  private final ProgressFlusher progress;
  private final List<Long> timers = new ArrayList<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private boolean stopping;

  public Worker(Vertx vertx, RunQueue queue, WorkerOptions options) {
    this.vertx = vertx;
    this.queue = queue;
    this.options = options;
    this.id = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    this.attempts = new Attempts(vertx, queue, id, RunMetrics.create(), loops);
    this.leases = new LeaseKeeper(queue, id, options.lease(), attempts.active(), attempts.completions(), attempts);
    this.progress = new ProgressFlusher(queue, id);
  }

  public String id() {
    return id;
  }

  public Worker serve(String type, JobTypeOptions typeOptions, RunHandler handler) {
    loops.put(type, new ClaimLoop(type, typeOptions, handler, queue, id, options));
    return this;
  }

  /** Runs executing now in this worker. */
  public int activeCount() {
    return attempts.active().size();
  }

  public Future<Void> start() {
    Context context = vertx.getOrCreateContext();
    attempts.bind(context);
    consumers.add(vertx.eventBus().<JsonObject>consumer(RunsWake.ADDRESS, msg -> {
      var loop = loops.get(RunsWake.from(msg.body()).type());
      if (loop != null) {
        loop.wake();
      }
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(RunTypesChanged.ADDRESS, msg -> {
      if (loops.containsKey(RunTypesChanged.from(msg.body()).type())) {
        steer();
      }
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(RunCancel.ADDRESS,
        msg -> attempts.cancelPublished(RunCancel.from(msg.body()).runId())));
    timers.add(vertx.setPeriodic(options.poll().toMillis(), t -> loops.values().forEach(ClaimLoop::wake)));
    timers.add(vertx.setPeriodic(options.lease().toMillis() / 3, t -> {
      leases.renew();
      leases.heartbeat(served());
      steer();
    }));
    timers.add(vertx.setPeriodic(options.flush().toMillis(), t -> progress.flush(attempts.active().values())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> queue.settings(loops.keySet()).map(this::apply))
        .onSuccess(v -> {
          leases.heartbeat(served());
          LOG.info("Worker {} serves {}", id, loops.keySet());
          loops.values().forEach(loop -> loop.start(context, claimed -> attempts.execute(loop, claimed)));
        })
        .mapEmpty();
  }

  private Map<String, JobTypeOptions> served() {
    var served = new LinkedHashMap<String, JobTypeOptions>();
    loops.forEach((type, loop) -> served.put(type, loop.options));
    return served;
  }

  /** Re-reads how this worker's types are steered (paused, capped) and claims by it. */
  private void steer() {
    queue.settings(loops.keySet())
        .onSuccess(this::apply)
        .onFailure(e -> LOG.warn("Worker {} could not read its run types' settings: {}", id, e.getMessage()));
  }

  /** Hands each type's loop its setting when it changed (a type not in {@code settings} is not steered). */
  private Void apply(Map<String, RunTypeSetting> settings) {
    loops.forEach((type, loop) -> {
      var setting = settings.getOrDefault(type, RunTypeSetting.NONE);
      if (!setting.equals(loop.setting())) {
        if (setting.paused() != loop.setting().paused()) {
          LOG.info("Worker {} {} {}", id, setting.paused() ? "pauses" : "resumes", type);
        }
        loop.steer(setting);
      }
    });
    return null;
  }

  /** Stops claiming, lets handlers that are ending finish briefly, writes their outcomes and hands the rest back. */
  public Future<Void> stop() {
    if (stopping) {
      return Future.succeededFuture();
    }
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    var unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    var claims = Future.join(loops.values().stream().map(ClaimLoop::stop).toList());
    var grace = Promise.<Void>promise();
    var timer = vertx.setTimer(SHUTDOWN_GRACE.toMillis(), t -> grace.tryComplete());
    attempts.stopAll("worker " + id + " is shutting down").onComplete(v -> grace.tryComplete());
    return Future.join(unregistered, claims, grace.future())
        .transform(v -> {
          vertx.cancelTimer(timer);
          return attempts.completions().drain();
        })
        .transform(v -> queue.forgetWorker(id).transform(forgotten -> queue.handBack(id)))
        .map(rows -> {
          var types = new HashSet<String>();
          for (var row : rows) {
            var runId = row.getUUID("id");
            types.add(row.getString("type"));
            queue.publishStatus(runId, row.getString("type"), row.getString("job_id"),
                RunStatus.parse(row.getString("status")));
            attempts.handedBack(runId);
          }
          if (!types.isEmpty()) {
            LOG.info("Worker {} handed {} run(s) back to the queue", id, rows.size());
            queue.wake(types);
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.warn("Worker {} could not hand its runs back; their leases will expire: {}", id, e.getMessage());
          return Future.succeededFuture();
        });
  }
}
