package io.castbus.cleanup;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A database, a library folder and a deployed {@link CleanupVerticle}; runs are enqueued and awaited directly. */
final class CleanupFixture implements AutoCloseable {

  final TestDatabase db;
  final Database database;
  final Vertx vertx;
  final Process process;
  final Path library;
  final Path data;
  final RunQueue queue;

  CleanupFixture(String name, Path library, Path data, Map<String, String> env) {
    this.library = library;
    this.data = data;
    db = TestDatabase.create(name);
    database = Database.of(db.url());
    Migrations.migrate(database);
    var all = new HashMap<>(env);
    all.put("DOWNLOAD_DIR", library.toString());
    all.put("DATA_DIR", data.toString());
    var settings = Settings.load(all, Settings.AuthMode.REQUIRED);
    vertx = ClusterSetup.local(settings);
    var pool = database.pool(vertx, "main", 4);
    process = new Process(vertx, settings, database, pool, new Health(vertx, pool));
    queue = new RunQueue(vertx, pool);
    Waits.await(vertx.deployVerticle(new CleanupVerticle(process)));
  }

  long podcast(String title, int keep) {
    return rows("insert into podcasts (rss_url, title, folder, max_episodes_to_keep) values ($1, $2, $2, $3) returning id",
        "http://feeds.example/" + title, title, keep).get(0).getLong(0);
  }

  /** A downloaded episode published {@code daysAgo}, its file written under the library when {@code file}. */
  long episode(long podcast, String guid, int daysAgo, String path, boolean file) throws Exception {
    var bytes = 0L;
    if (file) {
      var target = library.resolve(path);
      Files.createDirectories(target.getParent());
      Files.writeString(target, "audio of " + guid + " ".repeat(1000));
      bytes = Files.size(target);
    }
    return rows("""
        insert into episodes (podcast_id, guid, title, published_at, enclosure_url, download_status, file_path, bytes)
        values ($1, $2, $2, now() - make_interval(days => $3), 'http://media.example/' || $2 || '.mp3', 'completed',
                $4, $5)
        returning id""", podcast, guid, daysAgo, path, bytes).get(0).getLong(0);
  }

  List<Row> rows(String sql, Object... args) {
    var result = Waits.await(process.pool().preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  String status(long episode) {
    return rows("select download_status from episodes where id = $1", episode).get(0).getString(0);
  }

  /** Enqueues a run of {@code type} and waits for it to finish; returns the run. */
  JsonObject run(String type, JsonObject payload) {
    var id = Waits.await(queue.enqueue(NewRun.of(type, payload)));
    Waits.until(Duration.ofSeconds(60), type + " finished", () -> {
      var status = Waits.await(queue.status(id)).orElse("");
      return status.equals("completed") || status.equals("failed");
    });
    return Waits.await(queue.get(id)).orElseThrow();
  }

  @Override
  public void close() {
    Waits.await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()));
    Waits.await(vertx.close());
    db.close();
  }
}
