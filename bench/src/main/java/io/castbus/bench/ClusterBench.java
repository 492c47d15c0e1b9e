package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Castbus worker processes ({@link ClusterMember}, each its own JVM) joined in one Hazelcast cluster on loopback: the
 * time each member takes from launch to ready, run throughput with one and then two worker processes (each after an
 * unmeasured warm-up round, so the new JVM's code is compiled), and the time
 * a run held by a process killed with SIGKILL takes to be running again on another member.
 */
final class ClusterBench {

  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final long POLL_MILLIS = 20;

  record Result(List<Long> joinMillis, Throughput one, Throughput two, List<Long> pickupMillis) {
  }

  private ClusterBench() {
  }

  static Result measure(ScratchDatabase db, int runs, int kills, int workers, Path logs) throws Exception {
    Migrations.migrate(db.database());
    var ports = new ArrayList<Integer>();
    for (var i = 0; i < 3 + kills; i++) {
      ports.add(freePort());
    }
    var memberList = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    var settings = Settings.load(Map.of("DATABASE_URL", db.url(), "CLUSTER_PORT", String.valueOf(ports.get(0)),
        "CLUSTER_MEMBERS", memberList), Settings.AuthMode.LOCAL_OPEN);
    var vertx = Await.result(ClusterSetup.clustered(settings), TIMEOUT);
    var members = new Members(db, ports, memberList, workers, logs);
    try {
      var queue = new RunQueue(vertx, db.database().pool(vertx, "bench", 4));
      var joins = new ArrayList<Long>();
      joins.add(members.launch());
      System.out.println("warm-up " + throughput(db, queue, runs, "1 worker process").line());
      var one = throughput(db, queue, runs, "1 worker process");
      joins.add(members.launch());
      System.out.println("warm-up " + throughput(db, queue, runs, "2 worker processes").line());
      var two = throughput(db, queue, runs, "2 worker processes");
      var pickups = new ArrayList<Long>();
      for (var k = 0; k < kills; k++) {
        pickups.add(pickup(db, queue, members));
        joins.add(members.launch());
      }
      return new Result(joins, one, two, pickups);
    } finally {
      members.close();
      Await.result(vertx.close(), TIMEOUT);
    }
  }

  /** Enqueues {@code runs} no-op runs at once and waits until the database has every one completed. */
  private static Throughput throughput(ScratchDatabase db, RunQueue queue, int runs, String label) throws Exception {
    var before = count(db, BenchSql.NOOP_COMPLETED);
    var batch = new ArrayList<NewRun>(runs);
    for (var i = 0; i < runs; i++) {
      batch.add(NewRun.of(NoopWorkerVerticle.TYPE, new JsonObject().put("n", i)));
    }
    var start = System.nanoTime();
    Await.result(queue.enqueueAll(batch), TIMEOUT);
    var deadline = start + TIMEOUT.toNanos();
    while (count(db, BenchSql.NOOP_COMPLETED) < before + runs) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(label + ": runs still not completed after " + TIMEOUT);
      }
      Thread.sleep(POLL_MILLIS);
    }
    var nanos = System.nanoTime() - start;
    return new Throughput(label, runs, nanos, 0, 0, "enqueued in one statement, clock to the last completion");
  }

  /** Kills the member running a held run; returns the milliseconds until the run is running on another member. */
  private static long pickup(ScratchDatabase db, RunQueue queue, Members members) throws Exception {
    var id = Await.result(queue.enqueueAll(List.of(NewRun.of(ClusterMember.HOLD, new JsonObject()))), TIMEOUT)
        .get(0);
    var holder = awaitWorker(db, id, null);
    members.ownerOf(holder).destroyForcibly().waitFor();
    var killed = System.nanoTime();
    awaitWorker(db, id, holder);
    var millis = (System.nanoTime() - killed) / 1_000_000;
    System.out.printf("killed the member running %s (worker %s); running again after %d ms%n", id, holder, millis);
    return millis;
  }

  /** Waits until run {@code id} is running on a worker other than {@code not}; returns that worker's id. */
  private static String awaitWorker(ScratchDatabase db, UUID id, String not) throws Exception {
    var deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (var c = db.connect(); var st = c.prepareStatement(BenchSql.RUN_WORKER)) {
        st.setObject(1, id);
        try (var rs = st.executeQuery()) {
          if (rs.next() && "running".equals(rs.getString("status")) && rs.getString("worker_id") != null
              && !rs.getString("worker_id").equals(not)) {
            return rs.getString("worker_id");
          }
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("run " + id + " not running on another worker within " + TIMEOUT);
  }

  private static long count(ScratchDatabase db, String sql) throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Duration lease() {
    return WorkerOptions.DEFAULTS.lease();
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The member processes: launched one at a time, each waited for until its health says ready. */
  private static final class Members implements AutoCloseable {
    private final ScratchDatabase db;
    private final List<Integer> ports;
    private final String memberList;
    private final int workers;
    private final Path logs;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Process, Path> logFiles = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    Members(ScratchDatabase db, List<Integer> ports, String memberList, int workers, Path logs) {
      this.db = db;
      this.ports = ports;
      this.memberList = memberList;
      this.workers = workers;
      this.logs = logs;
    }

    /** Launches the next member and returns the milliseconds from launch until {@code /health/ready} says 200. */
    long launch() throws Exception {
      var index = processes.size() + 1;
      var httpPort = freePort();
      var jar = Path.of(ClusterMember.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      var builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
          "-D" + ClusterMember.WORKERS_PROPERTY + "=" + workers, "-cp", jar, ClusterMember.class.getName());
      builder.environment().putAll(Map.of("DATABASE_URL", db.url(), "CLUSTER_PORT", String.valueOf(ports.get(index)),
          "CLUSTER_MEMBERS", memberList, "HTTP_PORT", String.valueOf(httpPort), "AUTH_MODE", "required",
          "ADMIN_API_KEY", "cb_bench_cluster_key", "DATA_DIR", logs.resolve("data-" + index).toString()));
      Files.createDirectories(logs);
      var log = logs.resolve("member-" + index + ".log");
      var started = System.nanoTime();
      var process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      processes.add(process);
      logFiles.put(process, log);
      var ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build();
      var deadline = started + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline && process.isAlive()) {
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            var millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("member %d joined and ready %d ms after launch (cluster of %d)%n", index, millis,
                1 + processes.stream().filter(Process::isAlive).count());
            return millis;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(POLL_MILLIS);
      }
      throw new IllegalStateException("member " + index + " not ready; see " + log);
    }

    Process ownerOf(String workerId) throws IOException {
      for (var process : processes) {
        if (process.isAlive() && Files.readString(logFiles.get(process)).contains("Worker " + workerId + " serves")) {
          return process;
        }
      }
      throw new IllegalStateException("no live member runs worker " + workerId);
    }

    @Override
    public void close() {
      processes.forEach(Process::destroyForcibly);
    }
  }
}
