package io.castbus.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.config.ConfigException;
import io.castbus.common.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
}
