package io.castbus.testkit;

import java.util.List;

/**
 * URLs that lead back into the machine or its network, in the spellings SSRF attempts use: loopback, cloud
 * metadata, {@code [::1]}, decimal, octal and hex IPv4, IPv4-mapped IPv6, the unspecified address, unique-local and
 * link-local IPv6. Each names the address the policy must report.
 */
public final class HostileUrls {

  /**
   * One hostile URL, the address a refusal must name, and its code: {@code metadata_address} for link-local and
   * cloud-metadata addresses (refused whatever the settings), {@code private_network} for the rest.
   */
  public record Hostile(String url, String address, String code) {

    Hostile(String url, String address) {
      this(url, address, address.startsWith("169.254.") || address.startsWith("fe80:")
          || address.equals("fd00:ec2:0:0:0:0:0:254") ? "metadata_address" : "private_network");
    }
  }

  private HostileUrls() {
  }

  /** The hostile URLs, those on loopback aimed at {@code port} (a server that must never be reached). */
  public static List<Hostile> aimedAt(int port) {
    return List.of(
        new Hostile("http://127.0.0.1:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://localhost:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254"),
        new Hostile("http://[::1]:" + port + "/secret", "0:0:0:0:0:0:0:1"),
        new Hostile("http://2130706433:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://0177.0.0.1:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://0x7f000001:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://[::ffff:127.0.0.1]:" + port + "/secret", "127.0.0.1"),
        new Hostile("http://0.0.0.0:" + port + "/secret", "0.0.0.0"),
        new Hostile("http://[fc00::1]/secret", "fc00:0:0:0:0:0:0:1"),
        new Hostile("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2:0:0:0:0:0:254"),
        new Hostile("http://[fe80::1]/secret", "fe80:0:0:0:0:0:0:1"));
  }
}
