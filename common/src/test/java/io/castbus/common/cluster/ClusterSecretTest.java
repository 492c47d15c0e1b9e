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
    var secret = ClusterSecret.of(settings(Map.of("CLUSTER_SECRET", "bus-secret-0123456789")));
    onlyPeerReachesEcho(secret, new Member(Map.of(), true), new Member(Map.of(), true), new Member(Map.of(), false));
  }

  @Test
  @DisplayName("with event-bus TLS, members holding the keystore talk; a member without TLS cannot reach them")
  void tlsEventBus(@TempDir Path dir) throws Exception {
    var keystore = Keystores.selfSigned(dir, "castbus-member", "store-pass-1");
    var tls = new Member(Map.of("CLUSTER_TLS_KEYSTORE", keystore.toString(), "CLUSTER_TLS_PASSWORD", "store-pass-1"),
        false);
    onlyPeerReachesEcho(null, tls, tls, new Member(Map.of(), false));
  }

  private record Member(Map<String, String> env, boolean guarded) {
  }

  /** Three clustered Vert.x on loopback: {@code server} answers an echo address, {@code peer} gets an answer,
   * {@code stranger}'s request goes unanswered. */
  private static void onlyPeerReachesEcho(ClusterSecret secret, Member server, Member peer, Member stranger)
      throws Exception {
    var ports = List.of(ChildProcess.freePort(), ChildProcess.freePort(), ChildProcess.freePort());
    var members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    var vertxes = new ArrayList<Vertx>();
    try {
      for (var i = 0; i < 3; i++) {
        var member = List.of(server, peer, stranger).get(i);
        var env = new HashMap<>(member.env());
        env.put("CLUSTER_PORT", String.valueOf(ports.get(i)));
        env.put("CLUSTER_MEMBERS", members);
        vertxes.add(member(env, secret, member.guarded()));
        if (i == 0) {
          vertxes.get(0).eventBus().consumer("castbus.test.echo", m -> m.reply("echo " + m.body()))
              .completion().await(30, TimeUnit.SECONDS);
        }
      }
      var options = new DeliveryOptions().setSendTimeout(3000);
      assertThat(vertxes.get(1).eventBus().request("castbus.test.echo", "hello", options)
          .await(30, TimeUnit.SECONDS).body()).isEqualTo("echo hello");
      assertThatThrownBy(() -> vertxes.get(2).eventBus().request("castbus.test.echo", "hello", options)
          .await(30, TimeUnit.SECONDS)).isInstanceOf(ReplyException.class);
    } finally {
      for (var vertx : vertxes) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
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
