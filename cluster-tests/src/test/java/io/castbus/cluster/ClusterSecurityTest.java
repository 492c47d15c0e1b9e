package io.castbus.cluster;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Keystores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Cluster security across processes: only members with the cluster secret join, the event bus over TLS")
class ClusterSecurityTest {

  private static final Duration START = Duration.ofSeconds(120);
  private static final String SECRET = "castbus-test-cluster-secret-1";
  private static final String OTHER_SECRET = "some-other-cluster-secret-22";
  private static final String STORE_PASSWORD = "member-store-pass-3";

  @Test
  @DisplayName("a scheduler with the wrong secret does not join: the gateway never sees its handlers; one with the right secret does")
  void wrongSecretDoesNotJoin() throws Exception {
    try (var cluster = new ClusterFixture("wrong_secret", 3)) {
      var started = startAll(cluster, List.of(
          new Member("gateway", 0, Map.of("CLUSTER_SECRET", SECRET)),
          new Member("scheduler-verticle", 1, Map.of("CLUSTER_SECRET", OTHER_SECRET))));
      var gateway = cluster.api(started.get(0));

      var deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline) {
        var jobs = gateway.get("/api/jobs");
        assertThat(jobs.status()).as("jobs served only by the outsider scheduler").isEqualTo(503);
        assertThat(jobs.json().getString("error")).isEqualTo("unavailable");
        Waits.sleep(500);
      }
      assertThat(started.get(1).isAlive()).as("the outsider runs on in a cluster of its own").isTrue();

      var member = cluster.start("scheduler-verticle", 2, Map.of("CLUSTER_SECRET", SECRET));
      member.awaitReady(START);
      var jobs = gateway.callUntil(200, START, "GET", "/api/jobs", null);
      assertThat(jobs.json().getJsonArray("jobs")).isNotNull();
      assertThat(started.get(0).tail() + started.get(1).tail()).doesNotContain(SECRET, OTHER_SECRET);
    }
  }

  @Test
  @DisplayName("two members with event-bus TLS form a cluster and a request crosses it; secrets stay out of the log")
  void tlsEventBus(@TempDir Path dir) throws Exception {
    var keystore = Keystores.selfSigned(dir, "castbus-member", STORE_PASSWORD);
    var tls = Map.of("CLUSTER_SECRET", SECRET, "CLUSTER_TLS_KEYSTORE", keystore.toString(),
        "CLUSTER_TLS_PASSWORD", STORE_PASSWORD);
    try (var cluster = new ClusterFixture("tls_bus", 2)) {
      var started = startAll(cluster, List.of(new Member("gateway", 0, tls), new Member("scheduler-verticle", 1, tls)));
      var gateway = cluster.api(started.get(0));

      var jobs = gateway.callUntil(200, START, "GET", "/api/jobs", null);
      assertThat(jobs.json().getJsonArray("jobs")).isNotNull();
      assertThat(cluster.api(started.get(1)).get("/health/started").status()).isEqualTo(200);

      var log = started.get(0).tail() + started.get(1).tail();
      assertThat(log).contains("clusterSecret=***", "clusterTlsPassword=***").doesNotContain(SECRET, STORE_PASSWORD);
    }
  }

  private record Member(String module, int index, Map<String, String> env) {
  }

  private static List<ChildProcess> startAll(ClusterFixture cluster, List<Member> members) {
    var processes = members.parallelStream().map(m -> {
      try {
        return cluster.start(m.module(), m.index(), m.env());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toList();
    processes.parallelStream().forEach(p -> p.awaitReady(START));
    return processes;
  }
}
