package io.castbus.gateway.auth;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code Host} header read strictly: a DNS name, an IPv4 address or a bracketed IPv6 address, then an optional
 * port from 1 to 65535; nothing else (no user info, no path, no spaces). It decides which names count as this
 * machine for {@code local-open}: {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and the machine's own host
 * name when that resolves to loopback. Any other name, {@code 127.evil.example} or {@code 127.0.0.1.nip.io} among
 * them, is a page's own name that may have been re-pointed at 127.0.0.1 (DNS rebinding).
 */
public final class HostHeader {

  private static final Pattern HOST = Pattern.compile(
      "(?<host>\\[[0-9A-Fa-f:.]{2,45}]|[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,252}[A-Za-z0-9])?)(?::(?<port>[0-9]{1,5}))?");
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

  private final Set<String> localNames;

  private HostHeader(Set<String> localNames) {
    this.localNames = localNames;
  }

  /** The loopback names, and this machine's host name when it resolves to loopback only. Blocking: resolves. */
  public static HostHeader forThisMachine() {
    String own = null;
    try {
      var name = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
      var addresses = InetAddress.getAllByName(name);
      var allLoopback = addresses.length > 0;
      for (var address : addresses) {
        allLoopback &= address.isLoopbackAddress();
      }
      if (allLoopback && HOST.matcher(name).matches()) {
        own = name;
      }
    } catch (java.io.IOException unresolved) {
      // no host name of its own: only the loopback names count
    }
    return new HostHeader(own == null ? LOOPBACK_NAMES
        : Set.copyOf(java.util.stream.Stream.concat(LOOPBACK_NAMES.stream(), java.util.stream.Stream.of(own)).toList()));
  }

  /** The host part of a valid header value, lower-cased; empty when the value is not a valid Host header. */
  public static Optional<String> host(String value) {
    if (value == null) {
      return Optional.empty();
    }
    var matcher = HOST.matcher(value);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    var port = matcher.group("port");
    if (port != null && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535)) {
      return Optional.empty();
    }
    return Optional.of(matcher.group("host").toLowerCase(Locale.ROOT));
  }

  /** Whether the header names this machine by one of its loopback names. */
  public boolean namesThisMachine(String value) {
    return host(value).filter(localNames::contains).isPresent();
  }
}
