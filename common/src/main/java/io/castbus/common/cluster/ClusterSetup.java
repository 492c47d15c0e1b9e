package io.castbus.common.cluster;

import com.hazelcast.config.Config;
import io.castbus.common.config.Settings;
import io.castbus.common.ops.AcceptGapSafeMetrics;
import io.castbus.common.ops.PrometheusNames;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.Future;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds Vert.x for one Castbus process: metrics on (Micrometer, through {@link AcceptGapSafeMetrics}), and in
 * clustered mode the Hazelcast cluster manager with Vert.x's own maps, TCP member-list or Kubernetes DNS discovery,
 * never multicast, a cluster name derived from {@code CLUSTER_SECRET} and, with {@code CLUSTER_TLS_KEYSTORE}, mutual
 * TLS on the event bus.
 */
public final class ClusterSetup {

  /** The methods Castbus serves; any other is counted as {@code OTHER} and answered 501. */
  public static final String KNOWN_METHODS = "(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)";

  private ClusterSetup() {
  }

  public static VertxOptions options(Settings settings) {
    var options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            // Event-bus metrics cost a meter lookup per message on the run path (two publications per run); the
            // castbus_runs_* meters count the work itself.
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            // Any token is a method to HTTP: unknown ones share one label value, so clients cannot add series.
            .addLabelMatch(new Match().setDomain(MetricsDomain.HTTP_SERVER).setLabel(Label.HTTP_METHOD.toString())
                .setType(MatchType.REGEX).setValue(KNOWN_METHODS))
            .addLabelMatch(new Match().setDomain(MetricsDomain.HTTP_SERVER).setLabel(Label.HTTP_METHOD.toString())
                .setType(MatchType.REGEX).setValue("(?!" + KNOWN_METHODS + "$).*").setAlias("OTHER"))
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    var host = settings.clusterHost() == null ? "127.0.0.1" : settings.clusterHost();
    options.getEventBusOptions().setHost(host).setPort(0);
    if (settings.clusterHost() != null) {
      options.getEventBusOptions().setClusterPublicHost(settings.clusterHost());
    }
    if (settings.clusterTlsKeystore() != null) {
      var store = new PfxOptions().setPath(settings.clusterTlsKeystore().toString())
          .setPassword(settings.clusterTlsPassword());
      options.getEventBusOptions().setSsl(true).setKeyCertOptions(store).setTrustOptions(store)
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }

  public static Vertx local(Settings settings) {
    return Vertx.builder().with(options(settings)).withMetrics(new AcceptGapSafeMetrics(PrometheusNames.registry())).build();
  }

  /** Joins the cluster named after {@code CLUSTER_SECRET}; with a secret, unstamped bus messages are dropped. */
  public static Future<Vertx> clustered(Settings settings) {
    var secret = ClusterSecret.of(settings);
    return Vertx.builder()
        .with(options(settings))
        .withMetrics(new AcceptGapSafeMetrics(PrometheusNames.registry()))
        .withClusterManager(new HazelcastClusterManager(hazelcast(settings, secret)))
        .buildClustered()
        .onSuccess(vertx -> {
          if (secret != null) {
            secret.guard(vertx.eventBus());
          }
        });
  }

  static Config hazelcast(Settings settings, ClusterSecret secret) {
    var config = ConfigUtil.loadConfig();
    config.setClusterName(ClusterSecret.clusterName(secret));
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
