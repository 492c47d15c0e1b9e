package io.castbus.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.config.ConfigException;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Keystores;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Cluster secret")
class ClusterSecretTest {

  private static Settings settings(Map<String, String> env) {
    return Settings.load(env, Settings.AuthMode.REQUIRED);
  }

  @Test
  @DisplayName("a member reachable from other hosts refuses to start without CLUSTER_SECRET; loopback may go without")
  void requiredOffLoopback() {
    ClusterSecret.require(settings(Map.of()));
    ClusterSecret.require(settings(Map.of("CLUSTER_HOST", "127.0.0.1")));
    assertThatThrownBy(() -> ClusterSecret.require(settings(Map.of("CLUSTER_HOST", "10.1.2.3"))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("CLUSTER_SECRET must be set");
    assertThatThrownBy(() -> ClusterSecret.require(settings(Map.of("CLUSTER_K8S_SERVICE_DNS", "castbus-cluster"))))
        .hasMessageStartingWith("CLUSTER_SECRET must be set");
    ClusterSecret.require(settings(Map.of("CLUSTER_HOST", "10.1.2.3", "CLUSTER_SECRET", "0123456789abcdef")));
  }

  @Test
  @DisplayName("the Hazelcast cluster name is derived from the secret and does not contain it")
  void clusterName() {
    var a = ClusterSecret.of(settings(Map.of("CLUSTER_SECRET", "first-secret-0123456789")));
    var same = ClusterSecret.of(settings(Map.of("CLUSTER_SECRET", "first-secret-0123456789")));
    var b = ClusterSecret.of(settings(Map.of("CLUSTER_SECRET", "other-secret-0123456789")));
    assertThat(ClusterSecret.clusterName(a)).isEqualTo(ClusterSecret.clusterName(same))
        .isNotEqualTo(ClusterSecret.clusterName(b)).startsWith("castbus-").doesNotContain("secret");
    assertThat(ClusterSecret.clusterName(null)).isEqualTo("castbus");
    var config = ClusterSetup.hazelcast(settings(Map.of()), a);
    assertThat(config.getClusterName()).isEqualTo(ClusterSecret.clusterName(a));
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("a member that knows the cluster name but not the secret cannot deliver event-bus messages; a member with it can")
  void unstampedMessagesDropped() throws Exception {
    var ports = List.of(ChildProcess.freePort(), ChildProcess.freePort(), ChildProcess.freePort());
    var members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    var secret = ClusterSecret.of(settings(Map.of("CLUSTER_SECRET", "bus-secret-0123456789")));
    var vertxes = new ArrayList<Vertx>();
    try {
      var guarded = member(env(ports.get(0), members), secret, true);
      vertxes.add(guarded);
      guarded.eventBus().consumer("castbus.test.echo", m -> m.reply("echo " + m.body()))
          .completion().await(30, TimeUnit.SECONDS);
      var outsider = member(env(ports.get(1), members), secret, false);
      vertxes.add(outsider);
      var insider = member(env(ports.get(2), members), secret, true);
      vertxes.add(insider);

      var options = new DeliveryOptions().setSendTimeout(3000);
      assertThat(insider.eventBus().request("castbus.test.echo", "hello", options).await(30, TimeUnit.SECONDS)
          .body()).isEqualTo("echo hello");
      assertThatThrownBy(() -> outsider.eventBus().request("castbus.test.echo", "hello", options)
          .await(30, TimeUnit.SECONDS))
          .isInstanceOf(ReplyException.class).hasMessageContaining("Timed out");
    } finally {
      for (var vertx : vertxes) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("with event-bus TLS, members holding the keystore talk; a member without TLS cannot reach them")
  void tlsEventBus(@TempDir Path dir) throws Exception {
    var ports = List.of(ChildProcess.freePort(), ChildProcess.freePort(), ChildProcess.freePort());
    var members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    var keystore = Keystores.selfSigned(dir, "castbus-member", "store-pass-1");
    var tls = Map.of("CLUSTER_TLS_KEYSTORE", keystore.toString(), "CLUSTER_TLS_PASSWORD", "store-pass-1");
    var vertxes = new ArrayList<Vertx>();
    try {
      var server = member(with(env(ports.get(0), members), tls), null, false);
      vertxes.add(server);
      server.eventBus().consumer("castbus.test.echo", m -> m.reply("echo " + m.body()))
          .completion().await(30, TimeUnit.SECONDS);
      var client = member(with(env(ports.get(1), members), tls), null, false);
      vertxes.add(client);
      var plain = member(env(ports.get(2), members), null, false);
      vertxes.add(plain);

      var options = new DeliveryOptions().setSendTimeout(3000);
      assertThat(client.eventBus().request("castbus.test.echo", "hello", options).await(30, TimeUnit.SECONDS)
          .body()).isEqualTo("echo hello");
      assertThatThrownBy(() -> plain.eventBus().request("castbus.test.echo", "hello", options)
          .await(30, TimeUnit.SECONDS)).isInstanceOf(ReplyException.class);
    } finally {
      for (var vertx : vertxes) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Map<String, String> env(int port, String members) {
    return Map.of("CLUSTER_PORT", String.valueOf(port), "CLUSTER_MEMBERS", members);
  }

  private static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
    var all = new HashMap<>(env);
    all.putAll(more);
    return all;
  }

  private static Vertx member(Map<String, String> env, ClusterSecret secret, boolean guarded) throws Exception {
    var settings = settings(env);
    var vertx = Vertx.builder().with(ClusterSetup.options(settings))
        .withClusterManager(new HazelcastClusterManager(ClusterSetup.hazelcast(settings, secret)))
        .buildClustered().await(60, TimeUnit.SECONDS);
    if (guarded) {
      secret.guard(vertx.eventBus());
    }
    return vertx;
  }
}
