package io.castbus.bench;

import io.castbus.common.launch.Launcher;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker process of the {@code cluster} benchmark, started like every Castbus module ({@link Launcher}, clustered,
 * health on HTTP_PORT): {@code castbus.bench.workers} no-op workers, and one worker holding {@value #HOLD} runs until
 * they must stop, so the benchmark can kill the process that holds one.
 */
public final class ClusterMember {

  static final String HOLD = "bench_hold";
  static final String WORKERS_PROPERTY = "castbus.bench.workers";

  private ClusterMember() {
  }

  public static void main(String[] args) {
    var workers = Integer.getInteger(WORKERS_PROPERTY, 4);
    Launcher.runClustered("bench-member", false, process -> {
      var queue = new RunQueue(process.vertx(), process.pool());
      var verticles = new ArrayList<Deployable>();
      for (var i = 0; i < workers; i++) {
        verticles.add(new NoopWorkerVerticle(queue, BenchMain.DEFAULT_CONCURRENCY, new ConcurrentHashMap<>(), false));
      }
      verticles.add(new HoldingVerticle(queue));
      return List.copyOf(verticles);
    });
  }

  /** Serves {@value #HOLD}: a run that lasts until it is cancelled or its worker stops. */
  private static final class HoldingVerticle extends VerticleBase {
    private final RunQueue queue;
    private Worker worker;

    HoldingVerticle(RunQueue queue) {
      this.queue = queue;
    }

    @Override
    public Future<?> start() {
      worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
          .serve(HOLD, JobTypeOptions.DEFAULTS.concurrency(8), ClusterMember::hold);
      return worker.start();
    }

    @Override
    public Future<?> stop() {
      return worker.stop();
    }
  }

  private static Future<JsonObject> hold(RunContext run) {
    return run.cancelled().map(reason -> new JsonObject().put("stopped", reason));
  }
}
