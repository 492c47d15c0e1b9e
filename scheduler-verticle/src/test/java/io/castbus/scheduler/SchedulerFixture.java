package io.castbus.scheduler;

import io.castbus.testkit.Waits;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    Waits.await(process.vertx().close());
  }

  List<Row> rows(Process p, String sql, Object... args) {
    var result = Waits.await(p.pool().preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  JsonObject request(Process p, String address, JsonObject body) {
    return Waits.await(p.vertx().eventBus().<JsonObject>request(address, body)).body();
  }

  Throwable requestFailure(Process p, String address, JsonObject body) {
    try {
      p.vertx().eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS);
      throw new AssertionError("expected " + address + " to fail");
    } catch (Exception e) {
      return e;
    }
  }

  @Override
  public void close() {
    for (var vertx : List.copyOf(instances)) {
      Waits.await(vertx.close());
    }
    db.close();
  }
}
