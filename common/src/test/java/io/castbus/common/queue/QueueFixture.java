package io.castbus.common.queue;

import io.castbus.testkit.Waits;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A migrated database of its own, a Vert.x and a queue, for one test class. Registered as an extension
 * ({@code @RegisterExtension static final QueueFixture fx = …}) it stops the previous test's workers and empties the
 * queue before each test, and closes after the class.
 */
final class QueueFixture implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

  static final WorkerOptions FAST = WorkerOptions.DEFAULTS
      .lease(Duration.ofSeconds(3))
      .poll(Duration.ofMillis(200));
  /** How often the fixture's process reaps expired leases. */
  static final Duration REAP = Duration.ofMillis(300);

  final TestDatabase db;
  final Vertx vertx;
  final Pool pool;
  final RunQueue queue;
  private final List<String> deployments = new ArrayList<>();
  private String reaper;

  QueueFixture(String name) {
    db = TestDatabase.create(name);
    var database = Database.of(db.url());
    Migrations.migrate(database);
    vertx = Vertx.vertx();
    pool = database.pool(vertx, name, 8);
    queue = new RunQueue(vertx, pool);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    undeployAll();
    reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  void reset() {
    Waits.await(pool.query("truncate runs, run_events, jobs, run_types, run_actions cascade").execute());
  }

  List<Row> rows(String sql, Object... args) {
    var result = Waits.await(pool.preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  /** The run's status as stored. */
  String status(java.util.UUID id) {
    return rows("select status from runs where id = $1", id).get(0).getString("status");
  }

  long count(String sql, Object... args) {
    return rows(sql, args).get(0).getLong(0);
  }

  /**
   * Deploys a worker in a verticle of its own (its own event loop); returns the deployment id, for undeploy. The
   * first one also deploys the process's lease reaper, as the launcher does.
   */
  String deploy(Function<Vertx, Worker> factory) {
    if (reaper == null) {
      reaper = Waits.await(vertx.deployVerticle(new LeaseReaper(queue, REAP)));
    }
    var id = Waits.await(vertx.deployVerticle(new VerticleBase() {
      private Worker worker;

      @Override
      public Future<?> start() {
        worker = factory.apply(vertx);
        return worker.start();
      }

      @Override
      public Future<?> stop() {
        return worker.stop();
      }
    }));
    deployments.add(id);
    return id;
  }

  /** Stops every worker a test deployed. */
  void undeployAll() {
    for (var id : List.copyOf(deployments)) {
      undeploy(id);
    }
    if (reaper != null) {
      Waits.await(vertx.undeploy(reaper));
      reaper = null;
    }
  }

  void undeploy(String deployment) {
    deployments.remove(deployment);
    Waits.await(vertx.undeploy(deployment));
  }

  @Override
  public void close() {
    undeployAll();
    Waits.await(vertx.close());
    db.close();
  }
}
