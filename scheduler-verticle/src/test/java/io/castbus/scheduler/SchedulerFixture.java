package io.castbus.scheduler;

import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A migrated database and one or more scheduler "processes" (each its own Vert.x and pool) over it. */
final class SchedulerFixture implements AutoCloseable {

  final TestDatabase db;
  final Database database;
  private final List<Vertx> instances = new ArrayList<>();

  SchedulerFixture(String name) {
    db = TestDatabase.create(name);
    database = Database.of(db.url());
    Migrations.migrate(database);
  }

  /** A process with its own Vert.x and pool, as a separate replica would have. */
  Process process() {
    return process(Map.of("JOB_EXPIRY_DAYS", "30"));
  }

  /** A process with the given settings (as its environment). */
  Process process(Map<String, String> env) {
    var vertx = Vertx.vertx();
    instances.add(vertx);
    var pool = database.pool(vertx, "main", 4);
    var settings = Settings.load(env, Settings.AuthMode.LOCAL_OPEN);
    return new Process(vertx, settings, database, pool, new Health(vertx, pool));
  }

  void stop(Process process) {
    instances.remove(process.vertx());
    await(process.vertx().close());
  }

  List<Row> rows(Process p, String sql, Object... args) {
    var result = await(p.pool().preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  JsonObject request(Process p, String address, JsonObject body) {
    return await(p.vertx().eventBus().<JsonObject>request(address, body)).body();
  }

  Throwable requestFailure(Process p, String address, JsonObject body) {
    try {
      p.vertx().eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS);
      throw new AssertionError("expected " + address + " to fail");
    } catch (Exception e) {
      return e;
    }
  }

  void eventually(Duration timeout, String what, BooleanSupplier condition) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still not true after " + timeout.toSeconds() + " s: " + what);
      }
      sleep(25);
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (var vertx : List.copyOf(instances)) {
      await(vertx.close());
    }
    db.close();
  }
}
