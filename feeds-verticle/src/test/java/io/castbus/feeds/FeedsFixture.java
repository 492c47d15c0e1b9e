package io.castbus.feeds;

import io.castbus.common.ServiceError;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fresh database, a deployed {@link FeedsVerticle} with short timeouts and a small size cap, and a loopback
 * {@link FeedServer}. The API is called on the event bus, as the gateway does.
 */
final class FeedsFixture implements AutoCloseable {

  static final FetchOptions OPTIONS = FetchOptions.DEFAULTS
      .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(6))
      .maxBytes(4L * 1024 * 1024);

  final TestDatabase db;
  final Vertx vertx;
  final Process process;
  final RunQueue queue;
  final FeedServer server;
  private final java.nio.file.Path dataDir;

  FeedsFixture(String name, Map<String, String> env) throws Exception {
    db = TestDatabase.create(name);
    var database = Database.of(db.url());
    Migrations.migrate(database);
    var all = new HashMap<String, String>();
    all.put("ALLOW_PRIVATE_NETWORKS", "true");
    dataDir = java.nio.file.Files.createTempDirectory("castbus-feeds-data");
    all.put("DATA_DIR", dataDir.toString());
    all.putAll(env);
    var settings = Settings.load(all, Settings.AuthMode.REQUIRED);
    vertx = ClusterSetup.local(settings);
    var pool = database.pool(vertx, "main", 4);
    process = new Process(vertx, settings, database, pool, new Health(vertx, pool));
    queue = new RunQueue(vertx, pool);
    server = new FeedServer(vertx);
    Waits.await(vertx.deployVerticle(new FeedsVerticle(process, OPTIONS,
        JobTypeOptions.DEFAULTS.concurrency(4).backoff(Duration.ofMillis(100)).maxAttempts(1))));
  }

  JsonObject call(String address, JsonObject body) {
    return Waits.await(vertx.eventBus().<JsonObject>request(address, body)).body();
  }

  ServiceError fails(String address, JsonObject body) {
    try {
      var reply = vertx.eventBus().<JsonObject>request(address, body).await(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + reply.body().encode());
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return ServiceError.of(e);
    }
  }

  /** The caller as the gateway describes it: name, user id (a users row, made on first use) and admin flag. */
  JsonObject caller(String owner, boolean admin) {
    var id = rows("insert into users (name, role) values ($1, $2) on conflict (name) do update set name = $1 "
        + "returning id", owner, admin ? "admin" : "user").get(0).getLong(0);
    return new JsonObject().put("owner", owner).put("owner_id", id).put("admin", admin);
  }

  /** Adds a podcast as the admin would. */
  JsonObject add(String url, int keep, boolean autoDownload) {
    return call(io.castbus.common.Addresses.PODCASTS_ADD, new JsonObject().put("rss_url", url)
        .put("max_episodes_to_keep", keep).put("auto_download", autoDownload).put("owner", "admin"));
  }

  /** Enqueues a run and waits for it to finish; returns the run. */
  JsonObject run(NewRun run) {
    var id = Waits.await(queue.enqueue(run));
    Waits.until(Duration.ofSeconds(30), run.type() + " finished", () -> {
      var status = Waits.await(queue.status(id)).orElse("");
      return status.equals("completed") || status.equals("failed");
    });
    return Waits.await(queue.get(id)).orElseThrow();
  }

  List<Row> rows(String sql, Object... args) {
    var result = Waits.await(process.pool().preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  long count(String sql, Object... args) {
    return rows(sql, args).get(0).getLong(0);
  }

  @Override
  public void close() throws Exception {
    server.close();
    Waits.await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()));
    Waits.await(vertx.close());
    db.close();
    try (var files = java.nio.file.Files.walk(dataDir)) {
      for (var file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(file);
      }
    }
  }
}
