package io.castbus.common.cluster;

import io.castbus.common.config.ConfigException;
import io.castbus.common.config.Settings;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code CLUSTER_SECRET} proves. Hazelcast open source has no member authentication, so the cluster name is
 * derived from the secret (members with another secret form a cluster of their own), and every event-bus message
 * carries a second, independent proof that receivers check before delivering it. The secret itself never leaves
 * the process: both values are HMACs of it, so seeing one on the wire reveals neither the secret nor the other.
 */
public final class ClusterSecret {

  public static final String DEFAULT_CLUSTER_NAME = "castbus";
  static final String HEADER = "castbus-member";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecret.class);

  private final String clusterName;
  private final String busToken;

  private ClusterSecret(String secret) {
    this.clusterName = "castbus-" + HexFormat.of().formatHex(hmac(secret, "hazelcast cluster name"), 0, 16);
    this.busToken = HexFormat.of().formatHex(hmac(secret, "event bus member"));
  }

  /** The secret's derived values; none when the secret is unset (allowed only on loopback, see {@link #require}). */
  public static ClusterSecret of(Settings settings) {
    return settings.clusterSecret() == null ? null : new ClusterSecret(settings.clusterSecret());
  }

  /** A member reachable from other hosts must have a secret: refuse to start without one. */
  public static void require(Settings settings) {
    if (settings.clusterSecret() == null && !loopbackOnly(settings)) {
      throw new ConfigException("CLUSTER_SECRET must be set when the cluster is reachable from other hosts"
          + " (CLUSTER_HOST " + settings.clusterHost() + ", CLUSTER_K8S_SERVICE_DNS "
          + settings.clusterK8sServiceDns() + ")");
    }
  }

  static boolean loopbackOnly(Settings settings) {
    var host = settings.clusterHost();
    return settings.clusterK8sServiceDns() == null
        && (host == null || host.startsWith("127.") || host.equals("localhost") || host.equals("::1"));
  }

  public static String clusterName(ClusterSecret secret) {
    return secret == null ? DEFAULT_CLUSTER_NAME : secret.clusterName;
  }

  /** Stamps every message this member sends and drops every message that arrives without a valid stamp. */
  public void guard(EventBus bus) {
    bus.addOutboundInterceptor(this::stamp);
    bus.addInboundInterceptor(this::check);
  }

  private void stamp(DeliveryContext<Object> ctx) {
    ctx.message().headers().set(HEADER, busToken);
    ctx.next();
  }

  private void check(DeliveryContext<Object> ctx) {
    var token = ctx.message().headers().get(HEADER);
    if (token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
        busToken.getBytes(StandardCharsets.US_ASCII))) {
      ctx.next();
    } else {
      LOG.warn("Dropped an event-bus message to {} without a valid cluster stamp", ctx.message().address());
    }
  }

  private static byte[] hmac(String secret, String purpose) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
