package io.castbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/** One database and any number of module processes joined in one Hazelcast cluster on loopback. */
final class ClusterFixture implements AutoCloseable {

  static final String ADMIN_KEY = "cb_cluster_test_admin_key";

  final TestDatabase db;
  final Path logs;
  private final List<ChildProcess> processes = new ArrayList<>();
  private final List<Integer> clusterPorts = new ArrayList<>();

  ClusterFixture(String name, int members) throws IOException {
    db = TestDatabase.create(name);
    logs = Path.of("target", "cluster-logs", name);
    deleteTree(logs);
    for (var i = 0; i < members; i++) {
      clusterPorts.add(ChildProcess.freePort());
    }
  }

  /** Starts module {@code module} (its folder) as member {@code index} of the cluster. */
  ChildProcess start(String module, int index, Map<String, String> extraEnv) throws IOException {
    var env = new HashMap<String, String>();
    env.put("DATABASE_URL", db.url());
    env.put("CLUSTER_PORT", String.valueOf(clusterPorts.get(index)));
    env.put("CLUSTER_MEMBERS", String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList()));
    env.put("AUTH_MODE", "required");
    env.put("ADMIN_API_KEY", ADMIN_KEY);
    env.put("SECRET_KEY", "cluster-tests-secret-key");
    env.put("DATA_DIR", logs.resolve("data-" + index).toAbsolutePath().toString());
    env.putAll(extraEnv);
    var jar = Path.of("..", module, "target", artifact(module) + ".jar");
    var process = ChildProcess.start(module + "-" + index, jar, env, logs);
    processes.add(process);
    return process;
  }

  /**
   * Starts {@code modules} in parallel as members 0..n-1 with the same extra environment and waits until every one
   * is ready; prints each member's time from launch to ready (JVM start, cluster join, migrations).
   */
  List<ChildProcess> startAll(List<String> modules, Map<String, String> extraEnv, Duration timeout) {
    var launched = System.nanoTime();
    var started = new ArrayList<ChildProcess>();
    for (var i = 0; i < modules.size(); i++) {
      try {
        started.add(start(modules.get(i), i, extraEnv));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    var waiters = Executors.newFixedThreadPool(started.size());
    try {
      var ready = started.stream().map(process -> CompletableFuture.runAsync(() -> {
        process.awaitReady(timeout);
        System.out.printf("cluster join: %s ready %d ms after launch%n", process.name(),
            (System.nanoTime() - launched) / 1_000_000);
      }, waiters)).toList();
      ready.forEach(CompletableFuture::join);
    } finally {
      waiters.shutdownNow();
    }
    return started;
  }

  /** The member whose queue worker has the id {@code workerId} (each worker prints its id when it starts). */
  ChildProcess ownerOf(String workerId) {
    return processes.stream().filter(p -> p.printed("Worker " + workerId + " serves")).findFirst()
        .orElseThrow(() -> new AssertionError("no member runs worker " + workerId));
  }

  private static String artifact(String module) {
    return "castbus-" + module.replace("-verticle", "");
  }

  /** A client of a process's HTTP API with the cluster's admin key. */
  ApiClient api(ChildProcess process) {
    return new ApiClient(process.baseUrl(), ADMIN_KEY);
  }

  /**
   * Calls until the answer has the wanted status: while a member joins or dies the cluster may answer 503 for a
   * moment, but a request that hangs until the client gives up (status -1) fails the test.
   */
  static ApiClient.Response answered(ApiClient api, String method, String path, String body, int status,
      Duration timeout) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var response = api.call(method, path, body);
      assertThat(response.status()).as("%s %s answered (no hang past the client's timeout): %s", method, path,
          response).isNotEqualTo(-1);
      if (response.status() == status) {
        return response;
      }
      assertThat(response.status()).as("%s %s while the cluster changes: %s", method, path, response)
          .isIn(502, 503, 504);
      assertThat(System.nanoTime()).as("%s %s still %s", method, path, response).isLessThan(deadline);
      Waits.sleep(200);
    }
  }

  /** A fresh folder per run: the logs and files of an earlier run must not meet this one's. */
  private static void deleteTree(Path dir) throws IOException {
    if (java.nio.file.Files.exists(dir)) {
      try (var paths = java.nio.file.Files.walk(dir)) {
        for (var path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.delete(path);
        }
      }
    }
  }

  static List<io.vertx.core.json.JsonObject> downloadRuns(ApiClient api, Duration timeout) {
    return answered(api, "GET", "/api/runs?type=download_episode&limit=50", null, 200, timeout).json()
        .getJsonArray("runs").stream().map(io.vertx.core.json.JsonObject.class::cast).toList();
  }

  /** Waits for a download run that is running and has written some bytes, and returns it. */
  static io.vertx.core.json.JsonObject downloadUnderWay(ApiClient api, Duration timeout) {
    var found = new io.vertx.core.json.JsonObject[1];
    Waits.until(timeout, "a download under way", () -> {
      found[0] = downloadRuns(api, timeout).stream()
          .filter(r -> "running".equals(r.getString("status")) && r.getJsonObject("progress").getLong("current") > 0)
          .findFirst().orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  @Override
  public void close() {
    processes.forEach(ChildProcess::close);
    db.close();
  }
}
