package io.castbus.cluster;

import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.castbus.testkit.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    env.put("DATA_DIR", logs.resolve("data-" + index).toAbsolutePath().toString());
    env.putAll(extraEnv);
    var jar = Path.of("..", module, "target", artifact(module) + ".jar");
    var process = ChildProcess.start(module + "-" + index, jar, env, logs);
    processes.add(process);
    return process;
  }

  private static String artifact(String module) {
    return switch (module) {
      case "scheduler-verticle" -> "castbus-scheduler";
      case "cleanup-verticle" -> "castbus-cleanup";
      default -> "castbus-" + module;
    };
  }

  /** A client of a process's HTTP API with the cluster's admin key. */
  ApiClient api(ChildProcess process) {
    return new ApiClient(process.baseUrl(), ADMIN_KEY);
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
    processes.forEach(ChildProcess::close);
    db.close();
  }
}
