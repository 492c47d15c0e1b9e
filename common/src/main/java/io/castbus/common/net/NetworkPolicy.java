package io.castbus.common.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs Castbus may fetch (SPEC §6, {@code ALLOW_PRIVATE_NETWORKS}): http and https only, and unless private
 * networks are allowed, only hosts whose every address is public — no loopback, private, link-local (cloud metadata),
 * carrier-grade NAT, unique-local, multicast or unspecified address. Check every hop, redirects included.
 */
public final class NetworkPolicy {

  private final boolean allowPrivateNetworks;

  public NetworkPolicy(boolean allowPrivateNetworks) {
    this.allowPrivateNetworks = allowPrivateNetworks;
  }

  public boolean allowPrivateNetworks() {
    return allowPrivateNetworks;
  }

  /** The URL when it may be fetched, else a {@link Refused} naming why. Resolves the host off the event loop. */
  public Future<URI> check(Vertx vertx, String url) {
    URI uri;
    try {
      uri = parse(url);
    } catch (Refused e) {
      return Future.failedFuture(e);
    }
    if (allowPrivateNetworks) {
      return Future.succeededFuture(uri);
    }
    return vertx.executeBlocking(() -> {
      checkAddresses(uri.getHost());
      return uri;
    }, false);
  }

  /** Parses an absolute http(s) URL with a host, or throws {@link Refused}. */
  public static URI parse(String url) {
    if (url == null || url.isBlank()) {
      throw new Refused("invalid_url", "the URL is empty");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new Refused("invalid_url", "'" + url + "' is not a valid URL: " + e.getReason());
    }
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("invalid_url", "'" + url + "' is not an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new Refused("invalid_url", "'" + url + "' has no host name");
    }
    return uri;
  }

  private static void checkAddresses(String host) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Refused("unknown_host", "the host '" + host + "' cannot be resolved");
    }
    for (var address : addresses) {
      if (!isPublic(address)) {
        throw new Refused("private_network", "the host '" + host + "' resolves to " + address.getHostAddress()
            + ", a loopback, private or link-local address; set ALLOW_PRIVATE_NETWORKS=true to allow it");
      }
    }
  }

  /** Whether an address is on the public internet. */
  public static boolean isPublic(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    var b = a.getAddress();
    if (a instanceof Inet4Address) {
      var first = b[0] & 0xff;
      var second = b[1] & 0xff;
      return first != 0 && first < 240
          && !(first == 100 && second >= 64 && second < 128)
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0)
          && !(first == 198 && (second == 18 || second == 19));
    }
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) != 0xfc;
    }
    return false;
  }

  /** A URL that may not be fetched, with a short code and the reason. */
  public static final class Refused extends RuntimeException {
    private final String code;

    public Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
