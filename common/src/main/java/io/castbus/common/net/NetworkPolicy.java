package io.castbus.common.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which URLs Castbus may fetch (SPEC §6, {@code ALLOW_PRIVATE_NETWORKS}, {@code ALLOWED_PRIVATE_HOSTS}): http and
 * https only, and unless private networks are allowed, only hosts whose every address is public — no loopback,
 * private, carrier-grade NAT, unique-local, multicast or unspecified address, nor one of those embedded in IPv6 —
 * or that the user opened by name or range. Link-local addresses and the clouds' instance-metadata endpoints
 * ({@code 169.254.0.0/16}, {@code fe80::/10}, {@code fd00:ec2::254}, {@code 100.100.100.200}) are refused whatever
 * the settings say: nothing a podcast needs lives there, and the metadata service hands out credentials. The host
 * is resolved once, here, and the request is sent to the address that was checked ({@link Target#request()}), so a
 * DNS answer that changes after the check (rebinding) is never used. Check every hop, redirects included.
 */
public final class NetworkPolicy {

  /** Turns a host name into its addresses: the JDK resolver in production, a rebinding one in tests. */
  @FunctionalInterface
  public interface Resolver {
    Resolver SYSTEM = host -> Arrays.asList(InetAddress.getAllByName(host));

    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  /** One checked hop: the URL, and the address its connection must go to. */
  public record Target(URI uri, InetAddress address) {

    public int port() {
      return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /**
     * The request for this hop: the URL as given, so the Host header and the TLS server name stay the host's
     * name, connected to the checked address without resolving the name again.
     */
    public RequestOptions request() {
      return new RequestOptions().setAbsoluteURI(uri.toString())
          .setServer(SocketAddress.inetSocketAddress(port(), address.getHostAddress()));
    }
  }

  // The forms inet_aton accepts: one to four parts, each decimal, octal (leading 0) or hex (0x).
  private static final Pattern NUMERIC_HOST = Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}");

  private static final Set<InetAddress> METADATA = Set.of(address("fd00:ec2::254"), address("100.100.100.200"));

  private final boolean allowPrivateNetworks;
  private final PrivateHosts allowedPrivateHosts;
  private final Resolver resolver;
  private final Set<InetSocketAddress> trusted;

  public NetworkPolicy(boolean allowPrivateNetworks) {
    this(allowPrivateNetworks, PrivateHosts.NONE, Resolver.SYSTEM, List.of());
  }

  /** The policy the settings ask for: every private address, or only the hosts the user opened. */
  public NetworkPolicy(boolean allowPrivateNetworks, PrivateHosts allowedPrivateHosts) {
    this(allowPrivateNetworks, allowedPrivateHosts, Resolver.SYSTEM, List.of());
  }

  /**
   * A policy resolving with {@code resolver}, letting the {@code trusted} endpoints (address and port) through
   * though they are private: tests stand their loopback servers in for public ones this way.
   */
  public NetworkPolicy(boolean allowPrivateNetworks, Resolver resolver, Collection<InetSocketAddress> trusted) {
    this(allowPrivateNetworks, PrivateHosts.NONE, resolver, trusted);
  }

  public NetworkPolicy(boolean allowPrivateNetworks, PrivateHosts allowedPrivateHosts, Resolver resolver,
      Collection<InetSocketAddress> trusted) {
    this.allowPrivateNetworks = allowPrivateNetworks;
    this.allowedPrivateHosts = allowedPrivateHosts;
    this.resolver = resolver;
    this.trusted = Set.copyOf(trusted);
  }

  public boolean allowPrivateNetworks() {
    return allowPrivateNetworks;
  }

  /**
   * The hop to {@code url} when it may be fetched, else a failed future with a {@link Refused} naming why.
   * Resolves the host once, off the event loop.
   */
  public Future<Target> check(Vertx vertx, String url) {
    URI uri;
    try {
      uri = parse(url);
    } catch (Refused e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> target(uri), false);
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
      throw new Refused("invalid_url", "'" + url + "' has no valid host name");
    }
    return uri;
  }

  private Target target(URI uri) {
    var host = uri.getHost();
    var numeric = numericIpv4(host);
    var addresses = numeric != null ? List.of(numeric) : resolve(host);
    var port = new Target(uri, addresses.get(0)).port();
    for (var address : addresses) {
      var seen = numeric != null && !host.equals(address.getHostAddress())
          ? "is " + address.getHostAddress() + " written as a number" : "resolves to " + address.getHostAddress();
      var never = metadataKind(address);
      if (never != null) {
        throw new Refused("metadata_address", "the host '" + host + "' " + seen + ", " + never
            + " address, which is never fetched whatever ALLOW_PRIVATE_NETWORKS and ALLOWED_PRIVATE_HOSTS say");
      }
      var kind = privateKind(address);
      if (kind != null && !allowPrivateNetworks && !allowedPrivateHosts.allows(host, address)
          && !trusted.contains(new InetSocketAddress(address, port))) {
        throw new Refused("private_network", "the host '" + host + "' " + seen + ", " + kind
            + " address; list it in ALLOWED_PRIVATE_HOSTS (or set ALLOW_PRIVATE_NETWORKS=true) to allow it");
      }
    }
    return new Target(uri, addresses.get(0));
  }

  private List<InetAddress> resolve(String host) {
    try {
      var addresses = host.startsWith("[") ? List.of(InetAddress.getByName(host)) : resolver.resolve(host);
      if (addresses.isEmpty()) {
        throw new UnknownHostException(host);
      }
      return addresses;
    } catch (UnknownHostException e) {
      throw new Refused("unknown_host", "the host '" + host + "' cannot be resolved");
    }
  }

  /**
   * An IPv4 address written the way {@code inet_aton} reads it — {@code 2130706433}, {@code 0177.0.0.1},
   * {@code 0x7f000001}, {@code 127.1} — as the address it means; null when the host is not such a number.
   */
  static InetAddress numericIpv4(String host) {
    if (!NUMERIC_HOST.matcher(host).matches()) {
      return null;
    }
    var parts = host.split("\\.");
    var values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = number(host, parts[i]);
    }
    long address = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 255) {
        throw notAnAddress(host);
      }
      address |= values[i] << (8 * (3 - i));
    }
    var last = values[parts.length - 1];
    if (last >= 1L << (8 * (4 - (parts.length - 1)))) {
      throw notAnAddress(host);
    }
    address |= last;
    try {
      return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16),
          (byte) (address >>> 8), (byte) address});
    } catch (UnknownHostException e) {
      throw notAnAddress(host);
    }
  }

  private static long number(String host, String part) {
    try {
      var lower = part.toLowerCase(Locale.ROOT);
      var value = lower.startsWith("0x") ? (lower.length() == 2 ? BigInteger.ZERO : new BigInteger(lower.substring(2), 16))
          : lower.length() > 1 && lower.startsWith("0") ? new BigInteger(lower.substring(1), 8) : new BigInteger(lower);
      if (value.bitLength() > 32) {
        throw notAnAddress(host);
      }
      return value.longValue();
    } catch (NumberFormatException e) {
      throw notAnAddress(host);
    }
  }

  private static Refused notAnAddress(String host) {
    return new Refused("invalid_url", "the host '" + host + "' looks like an IP address but is not a valid one");
  }

  /**
   * What kind of never-fetched address this is — link-local (where the clouds' metadata services live) or a known
   * metadata endpoint, also when embedded in IPv6 — or null.
   */
  public static String metadataKind(InetAddress a) {
    if (METADATA.contains(a)) {
      return "a cloud instance-metadata";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local (cloud metadata)";
    }
    if (a instanceof Inet6Address) {
      var embedded = embeddedIpv4(a.getAddress());
      if (embedded != null) {
        var kind = metadataKind(embedded);
        return kind == null ? null : kind + " IPv4 (embedded in IPv6)";
      }
    }
    return null;
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether an address is on the public internet. */
  public static boolean isPublic(InetAddress a) {
    return privateKind(a) == null;
  }

  /** What kind of non-public address this is ("a loopback", …), or null when it is public. */
  public static String privateKind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "a loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "an unspecified (this machine)";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local (cloud metadata)";
    }
    if (a.isSiteLocalAddress()) {
      return "a private";
    }
    if (a.isMulticastAddress()) {
      return "a multicast";
    }
    var b = a.getAddress();
    if (a instanceof Inet4Address) {
      var first = b[0] & 0xff;
      var second = b[1] & 0xff;
      if (first == 0) {
        return "a this-network (0.0.0.0/8)";
      }
      if (first >= 240) {
        return "a reserved";
      }
      if (first == 100 && second >= 64 && second < 128) {
        return "a carrier-grade NAT";
      }
      if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
        return "an IETF protocol";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "a benchmarking";
      }
      return null;
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return "a unique-local (fc00::/7)";
      }
      var embedded = embeddedIpv4(b);
      if (embedded != null) {
        var kind = privateKind(embedded);
        return kind == null ? null : kind + " IPv4 (embedded in IPv6)";
      }
      return null;
    }
    return "an unknown kind of";
  }

  /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
  private static InetAddress embeddedIpv4(byte[] b) {
    var zeros = true;
    for (int i = 0; i < 10; i++) {
      zeros &= b[i] == 0;
    }
    var mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    var compatible = zeros && b[10] == 0 && b[11] == 0;
    var nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
        && Arrays.equals(b, 4, 12, new byte[8], 0, 8);
    try {
      if (mapped || compatible || nat64) {
        return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
        return InetAddress.getByAddress(Arrays.copyOfRange(b, 2, 6));
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
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

    /** Whether trying again later may succeed: a name that does not resolve now may after a DNS outage. */
    public boolean retryable() {
      return "unknown_host".equals(code);
    }
  }
}
