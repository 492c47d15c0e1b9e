package io.castbus.bench;

import io.castbus.common.Addresses;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunStatus;
import io.castbus.common.queue.StatementLoop;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Castbus engine as a process runs it: migrations, a Vert.x (with or without metrics), one shared pool, W {@code Worker}s
 * each in its own verticle instance (spread over the event loops). N no-op runs are enqueued first (timed apart);
 * the clock runs from deploying the workers until the last {@code completed} publication on
 * {@code castbus.runs.updates}, which is sent after the completing update has committed.
 */
final class CastbusEngine {

  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Duration SQL_CHECK = Duration.ofSeconds(1);

  /**
   * How the engine was set up for one measurement. {@code metrics}: Vert.x and run metrics on, as in a process;
   * {@code events}: each run reports progress, writes an output line and records an event, as real handlers do.
   */
  record Setup(int runs, int workers, int concurrency, int poolSize, int enqueueBatch, boolean metrics,
      boolean events) {
  }

  private CastbusEngine() {
  }

  static Throughput measure(ScratchDatabase db, Setup setup) throws Exception {
    Migrations.migrate(db.database());
    var settings = Settings.load(Map.of("DATABASE_URL", db.database().url()), Settings.AuthMode.LOCAL_OPEN);
    var vertx = setup.metrics() ? ClusterSetup.local(settings) : Vertx.vertx();
    try {
      var queue = new RunQueue(vertx, db.database().pool(vertx, "bench", setup.poolSize()));
      var enqueueNanos = load(queue, db, setup);
      var executions = new ConcurrentHashMap<UUID, Integer>(setup.runs() * 2);
      var done = Promise.<Long>promise();
      var first = Promise.<Long>promise();
      var published = countCompletions(vertx, setup.runs(), first, done);
      Await.result(published, TIMEOUT);
      var sqlCheck = vertx.setPeriodic(SQL_CHECK.toMillis(), t -> completedInDatabase(queue, setup.runs(), done));
      var cpu = CpuUsage.now();
      var start = System.nanoTime();
      var deployed = vertx.deployVerticle(() -> new NoopWorkerVerticle(queue, setup.concurrency(), executions,
          setup.events()),
          new DeploymentOptions().setInstances(setup.workers()));
      var end = Await.result(done.future(), TIMEOUT);
      var nanos = end - start;
      var used = CpuUsage.now().since(cpu);
      vertx.cancelTimer(sqlCheck);
      Await.result(deployed.compose(vertx::undeploy), TIMEOUT);
      var check = verify(db);
      return check.throughput("castbus engine", setup.runs(), nanos, executions,
          "metrics=" + setup.metrics() + " events=" + setup.events() + " workers=" + setup.workers() + " concurrency=" + setup.concurrency() + " pool=" + setup.poolSize()
              + " claim_batch=" + WorkerOptions.DEFAULTS.claimBatch() + " enqueue_ms=" + enqueueNanos / 1_000_000
              + " enqueue_runs_per_s=" + Math.round(setup.runs() * 1e9 / enqueueNanos)
              + " retried=" + (check.completed() - check.firstAttempt())
              + " first_completed_ms=" + (first.future().result() - start) / 1_000_000 + " " + used);
    } finally {
      Await.result(vertx.close(), TIMEOUT);
    }
  }

  /**
   * The engine's claim and completion statements alone ({@link StatementLoop}): the same migrations, pool and runs,
   * {@code workers} loops (one per verticle instance, spread over the event loops) each claiming up to
   * {@code batch} runs, completing them, and again until the queue is empty. The clock runs from deploying the loops
   * until every one has found the queue empty.
   */
  static Throughput measureStatements(ScratchDatabase db, Setup setup) throws Exception {
    Migrations.migrate(db.database());
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute(BenchSql.RUNS_EMPTIED); // the engine's round, in the same database, left its runs
    }
    var vertx = Vertx.vertx();
    try {
      var queue = new RunQueue(vertx, db.database().pool(vertx, "bench", setup.poolSize()));
      load(queue, db, setup);
      var executions = new ConcurrentHashMap<UUID, Integer>(setup.runs() * 2);
      var loops = new AtomicInteger();
      var cpu = CpuUsage.now();
      var start = System.nanoTime();
      var deployed = Await.result(vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return StatementLoop.drain(queue, NoopWorkerVerticle.TYPE, "loop-" + loops.incrementAndGet(), setup.concurrency(),
              executions);
        }
      }, new DeploymentOptions().setInstances(setup.workers())), TIMEOUT);
      var nanos = System.nanoTime() - start;
      var used = CpuUsage.now().since(cpu);
      Await.result(vertx.undeploy(deployed), TIMEOUT);
      return verify(db).throughput("engine statements alone", setup.runs(), nanos, executions,
          "loops=" + setup.workers() + " batch=" + setup.concurrency() + " pool=" + setup.poolSize() + " " + used);
    } finally {
      Await.result(vertx.close(), TIMEOUT);
    }
  }

  /** Enqueues the runs (returns how long that took), then vacuums and analyses the table before the clock. */
  private static long load(RunQueue queue, ScratchDatabase db, Setup setup) throws Exception {
    var nanos = enqueue(queue, setup);
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute("vacuum analyze runs");
    }
    return nanos;
  }

  private static long enqueue(RunQueue queue, Setup setup) throws Exception {
    var start = System.nanoTime();
    for (var from = 0; from < setup.runs(); from += setup.enqueueBatch()) {
      var batch = new ArrayList<NewRun>(setup.enqueueBatch());
      for (var i = from; i < Math.min(setup.runs(), from + setup.enqueueBatch()); i++) {
        batch.add(NewRun.of(NoopWorkerVerticle.TYPE, new JsonObject().put("n", i)));
      }
      Await.result(queue.enqueueAll(batch), TIMEOUT);
    }
    return System.nanoTime() - start;
  }

  /** Completes {@code first} and {@code done} with the times of the first and the n-th completed publication. */
  private static Future<Void> countCompletions(Vertx vertx, int runs, Promise<Long> first, Promise<Long> done) {
    var completed = new int[1];
    var consumer = vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_UPDATES, msg -> {
      if (!RunStatus.COMPLETED.wire().equals(msg.body().getString("status"))) {
        return;
      }
      if (++completed[0] == 1) {
        first.tryComplete(System.nanoTime());
      }
      if (completed[0] == runs) {
        done.tryComplete(System.nanoTime());
      }
    });
    return consumer.completion();
  }

  /** The safety net should a publication go missing: the database says every run is completed. */
  private static void completedInDatabase(RunQueue queue, int runs, Promise<Long> done) {
    queue.pool().query(BenchSql.RUNS_COMPLETED_NOW).execute().onSuccess(rows -> {
      if (rows.iterator().next().getLong(0) >= runs) {
        done.tryComplete(System.nanoTime());
      }
    });
  }

  private record Check(int completed, int firstAttempt, int total) {

    /** {@code runs} in {@code nanos}: duplicated when a handler saw a run twice, lost when unseen or not completed. */
    Throughput throughput(String system, int runs, long nanos, Map<UUID, Integer> executions, String details) {
      var duplicates = (int) executions.values().stream().filter(n -> n > 1).count();
      var lost = Math.max(runs - executions.size(), runs - completed);
      return new Throughput(system, runs, nanos, duplicates, lost, details);
    }
  }

  private static Check verify(ScratchDatabase db) throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(BenchSql.RUNS_COMPLETED)) {
      rs.next();
      return new Check(rs.getInt("completed"), rs.getInt("first_attempt"), rs.getInt("total"));
    }
  }
}
