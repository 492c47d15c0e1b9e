package io.castbus.downloads;

import io.castbus.common.RunTypes;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.LeaseReaper;
import io.castbus.common.queue.WorkerOptions;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh database, a library folder and downloads verticles (one or more "replicas", each its own Vert.x) with
 * test-sized limits; podcasts and episodes are inserted directly, as the feeds module would leave them.
 */
final class DownloadsFixture implements AutoCloseable {

  static final DownloadLimits LIMITS = new DownloadLimits(3, 2, Duration.ofSeconds(1), 1024 * 1024, 0, 3,
      Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofSeconds(30));
  static final WorkerOptions WORKER = WorkerOptions.DEFAULTS.poll(Duration.ofMillis(200));
  /** How often each replica reaps expired leases. */
  static final Duration REAP = Duration.ofMillis(300);

  final TestDatabase db;
  final Database database;
  final Path library;
  final Settings settings;
  final List<Replica> replicas = new ArrayList<>();
  private io.vertx.sqlclient.Pool pool;
  final Replica main;
  RunQueue queue;

  /** One downloads process: its own Vert.x, pool, downloads verticle and lease reaper (as the launcher starts it). */
  final class Replica {
    final Vertx vertx;
    final Process process;
    /** The downloads verticle's deployment. */
    final String downloads;
    boolean killed;

    Replica(DownloadLimits limits, WorkerOptions worker) {
      vertx = ClusterSetup.local(settings);
      var pool = database.pool(vertx, "main", 4);
      process = new Process(vertx, settings, database, pool, new Health(vertx, pool));
      downloads = Waits.await(vertx.deployVerticle(new DownloadsVerticle(process, limits, worker)));
      Waits.await(vertx.deployVerticle(new LeaseReaper(new RunQueue(vertx, pool), REAP)));
    }

    /** Ends abruptly: the pool goes first, so the worker cannot hand its runs back, as when a process is killed. */
    void kill() {
      killed = true;
      Waits.await(process.pool().close());
      Waits.await(vertx.close());
    }
  }

  DownloadsFixture(String name, Path library, DownloadLimits limits) {
    this(name, library, limits, WORKER);
  }

  DownloadsFixture(String name, Path library, DownloadLimits limits, WorkerOptions worker) {
    this(name, library, limits, worker, true);
  }

  /** With {@code allowPrivateNetworks} false, as in production: loopback enclosures are refused. */
  DownloadsFixture(String name, Path library, DownloadLimits limits, WorkerOptions worker,
      boolean allowPrivateNetworks) {
    this(name, library, limits, worker, Map.of("ALLOW_PRIVATE_NETWORKS", String.valueOf(allowPrivateNetworks)));
  }

  /** With these settings besides DOWNLOAD_DIR and DATA_DIR. */
  DownloadsFixture(String name, Path library, DownloadLimits limits, WorkerOptions worker, Map<String, String> env) {
    this.library = library;
    db = TestDatabase.create(name);
    database = Database.of(db.url());
    Migrations.migrate(database);
    var all = new java.util.HashMap<String, String>(env);
    all.put("DOWNLOAD_DIR", library.toString());
    all.put("DATA_DIR", library.resolveSibling("data").toString());
    settings = Settings.load(all, Settings.AuthMode.REQUIRED);
    main = replica(limits, worker);
    queue = new RunQueue(main.vertx, main.process.pool());
    pool = main.process.pool();
  }

  /** Reads and enqueues through {@code replica} from now on (the first one was killed). */
  DownloadsFixture withQueueOf(Replica replica) {
    queue = new RunQueue(replica.vertx, replica.process.pool());
    pool = replica.process.pool();
    return this;
  }

  Replica replica(DownloadLimits limits, WorkerOptions worker) {
    var replica = new Replica(limits, worker);
    replicas.add(replica);
    return replica;
  }

  long podcast(String title) {
    return rows("insert into podcasts (rss_url, title, owner) values ($1, $2, 'alice') returning id",
        "http://feeds.example/" + UUID.randomUUID(), title).get(0).getLong(0);
  }

  /** A pending episode published on {@code day} whose enclosure is {@code url}. */
  long episode(long podcast, String title, String day, String url) {
    var published = Instant.parse(day + "T08:00:00Z").atOffset(ZoneOffset.UTC);
    return rows("""
        insert into episodes (podcast_id, guid, title, published_at, enclosure_url, enclosure_type, download_status)
        values ($1, $2, $3, $4, $5, 'audio/mpeg', 'pending') returning id""",
        podcast, UUID.randomUUID().toString(), title, published, url).get(0).getLong(0);
  }

  /** Queues the episode's download as the feeds module does. */
  UUID download(long episode) {
    return Waits.await(queue.enqueue(RunTypes.download(episode).owner("alice", null)));
  }

  /** Waits until the run is completed, failed or cancelled, and returns it. */
  JsonObject finished(UUID run) {
    Waits.until(Duration.ofSeconds(45), "run " + run + " finished", () -> {
      var status = Waits.await(queue.status(run)).orElse("");
      return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    });
    return Waits.await(queue.get(run)).orElseThrow();
  }

  JsonObject episodeRow(long id) {
    return rows("select * from episodes where id = $1", id).get(0).toJson();
  }

  List<String> events(UUID run) {
    return rows("select message from run_events where run_id = $1 order by id", run).stream()
        .map(r -> r.getString(0)).toList();
  }

  List<Row> rows(String sql, Object... args) {
    var result = Waits.await(pool.preparedQuery(sql).execute(Tuple.from(args)));
    var rows = new ArrayList<Row>();
    result.forEach(rows::add);
    return rows;
  }

  @Override
  public void close() {
    for (var replica : replicas) {
      if (!replica.killed) {
        Waits.await(Future.join(replica.vertx.deploymentIDs().stream().map(replica.vertx::undeploy).toList()));
        Waits.await(replica.vertx.close());
      }
    }
    db.close();
  }
}
