package io.castbus.common.cluster;

import com.hazelcast.config.Config;
import io.castbus.common.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.Future;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds Vert.x for one Castbus process: metrics on, and in clustered mode the Hazelcast cluster manager with
 * Vert.x's own maps, TCP member-list or Kubernetes DNS discovery, and never multicast.
 */
public final class ClusterSetup {

  public static final String CLUSTER_NAME = "castbus";

  private ClusterSetup() {
  }

  public static VertxOptions options(Settings settings) {
    var options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    var host = settings.clusterHost() == null ? "127.0.0.1" : settings.clusterHost();
    options.getEventBusOptions().setHost(host).setPort(0);
    if (settings.clusterHost() != null) {
      options.getEventBusOptions().setClusterPublicHost(settings.clusterHost());
    }
    return options;
  }

  public static Vertx local(Settings settings) {
    return Vertx.builder().with(options(settings)).build();
  }

  public static Future<Vertx> clustered(Settings settings) {
    return Vertx.builder()
        .with(options(settings))
        .withClusterManager(new HazelcastClusterManager(hazelcast(settings)))
        .buildClustered();
  }

  static Config hazelcast(Settings settings) {
    var config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    var network = config.getNetworkConfig();
    network.setPort(settings.clusterPort()).setPortAutoIncrement(true).setPortCount(20);
    var join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (settings.clusterK8sServiceDns() != null) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", settings.clusterK8sServiceDns())
          .setProperty("service-port", String.valueOf(settings.clusterPort()));
    } else {
      var tcp = join.getTcpIpConfig().setEnabled(true);
      if (settings.clusterMembers().isEmpty()) {
        tcp.addMember(settings.clusterHost() == null ? "127.0.0.1" : settings.clusterHost());
      } else {
        settings.clusterMembers().forEach(tcp::addMember);
      }
    }
    if (settings.clusterHost() != null) {
      network.setPublicAddress(settings.clusterHost());
      network.getInterfaces().setEnabled(false);
    } else {
      network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    }
    return config;
  }
}
