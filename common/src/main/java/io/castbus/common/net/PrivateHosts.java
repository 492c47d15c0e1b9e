package io.castbus.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ALLOWED_PRIVATE_HOSTS}: the private hosts a user opened on purpose — host names (the URL's own host, any
 * case) and CIDR ranges ({@code 192.168.1.0/24}, {@code fd12:3456::/48}) — so one feed server on the home network
 * can be reached without allowing every private address. Link-local and metadata addresses stay refused whatever
 * is listed.
 */
public record PrivateHosts(Set<String> names, List<Range> ranges) {

  public static final PrivateHosts NONE = new PrivateHosts(Set.of(), List.of());

  /** An address range: the first {@code bits} bits of {@code network}. */
  public record Range(byte[] network, int bits) {

    boolean contains(InetAddress address) {
      var bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      var whole = bits / 8;
      for (var i = 0; i < whole; i++) {
        if (bytes[i] != network[i]) {
          return false;
        }
      }
      var rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      var mask = (byte) (0xff << (8 - rest));
      return (bytes[whole] & mask) == (network[whole] & mask);
    }
  }

  /**
   * Parses a comma-separated list; throws {@link IllegalArgumentException} naming the entry that is neither a host
   * name nor a CIDR range.
   */
  public static PrivateHosts parse(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    var names = new java.util.LinkedHashSet<String>();
    var ranges = new ArrayList<Range>();
    for (var raw : value.split(",")) {
      var entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("/")) {
        ranges.add(range(entry));
      } else if (entry.matches("[A-Za-z0-9.\\-]+|\\[?[0-9A-Fa-f:.]+]?")) {
        names.add(entry.replace("[", "").replace("]", "").toLowerCase(Locale.ROOT));
      } else {
        throw new IllegalArgumentException("'" + entry + "' is neither a host name nor a CIDR range");
      }
    }
    return new PrivateHosts(Set.copyOf(names), List.copyOf(ranges));
  }

  private static Range range(String entry) {
    var slash = entry.indexOf('/');
    var address = entry.substring(0, slash);
    if (!address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("'" + entry + "' is not a CIDR range: '" + address + "' is no address");
    }
    try {
      var network = InetAddress.getByName(address).getAddress();
      var bits = Integer.parseInt(entry.substring(slash + 1));
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("'" + entry + "' is not a CIDR range: /" + bits + " is out of range");
      }
      return new Range(network, bits);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + entry + "' is not a CIDR range");
    }
  }

  /** Whether the user opened this host, by its name in the URL or by its address. */
  public boolean allows(String host, InetAddress address) {
    var name = host.replace("[", "").replace("]", "").toLowerCase(Locale.ROOT);
    return names.contains(name) || ranges.stream().anyMatch(r -> r.contains(address));
  }

  public boolean isEmpty() {
    return names.isEmpty() && ranges.isEmpty();
  }
}
