package io.castbus.common.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The outbound URL policy resolves once, checks every address and pins the connection to it")
class NetworkPolicyTest {

  private final Vertx vertx = Vertx.vertx();
  private final Queue<String> hosts = new ConcurrentLinkedQueue<>();
  private final Queue<String> serverNames = new ConcurrentLinkedQueue<>();

  @AfterEach
  void close() {
    Waits.await(vertx.close());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "http://127.0.0.1/feed.xml               | 127.0.0.1       | a loopback",
      "http://localhost:8080/feed.xml          | 127.0.0.1       | a loopback",
      "http://[::1]/feed.xml                   | 0:0:0:0:0:0:0:1 | a loopback",
      "http://2130706433/feed.xml              | 127.0.0.1       | written as a number, a loopback",
      "http://0177.0.0.1/feed.xml              | 127.0.0.1       | written as a number, a loopback",
      "http://0x7f000001/feed.xml              | 127.0.0.1       | written as a number, a loopback",
      "http://[::ffff:127.0.0.1]/feed.xml      | 127.0.0.1       | a loopback",
      "http://0.0.0.0/feed.xml                 | 0.0.0.0         | an unspecified (this machine)",
      "http://0/feed.xml                       | 0.0.0.0         | an unspecified (this machine)",
      "http://[::]/feed.xml                    | 0:0:0:0:0:0:0:0 | an unspecified (this machine)",
      "http://[fc00::1]/feed.xml               | fc00:0:0:0:0:0:0:1 | a unique-local (fc00::/7)",
      "http://[fd12:3456::1]/feed.xml          | fd12:3456:0:0:0:0:0:1 | a unique-local (fc00::/7)",
      "http://10.1.2.3/feed.xml                | 10.1.2.3        | a private",
      "https://192.168.0.10/feed.xml           | 192.168.0.10    | a private",
      "http://172.16.5.4/feed.xml              | 172.16.5.4      | a private",
      "http://100.64.0.1/feed.xml              | 100.64.0.1      | a carrier-grade NAT",
      "http://[64:ff9b::7f00:1]/feed.xml       | 64:ff9b:0:0:0:0:7f00:1 | a loopback IPv4 (embedded in IPv6)"
  })
  @DisplayName("loopback, private, unique-local and carrier-grade NAT hosts in every spelling are refused, naming "
      + "the address and its kind")
  void refused(String url, String address, String kind) {
    var failure = refusal(new NetworkPolicy(false), url);

    assertThat(failure.code()).isEqualTo("private_network");
    assertThat(failure.getMessage()).contains(address).contains(kind).contains("ALLOW_PRIVATE_NETWORKS=true");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "http://2130706433:8080/feed.xml     | 127.0.0.1",
      "http://0177.0.0.1:8080/feed.xml     | 127.0.0.1",
      "http://0x7f000001:8080/feed.xml     | 127.0.0.1",
      "http://[::ffff:127.0.0.1]:8080/x    | 127.0.0.1",
      "http://[::1]:8080/feed.xml          | 0:0:0:0:0:0:0:1"
  })
  @DisplayName("with ALLOW_PRIVATE_NETWORKS=true the same hosts are allowed, and the connection goes to the address "
      + "they mean")
  void allowed(String url, String address) {
    var target = Waits.await(new NetworkPolicy(true).check(vertx, url));

    assertThat(target.address().getHostAddress()).isEqualTo(address);
    var request = target.request();
    assertThat(request.getServer().toString()).contains(address).endsWith(":8080");
    assertThat(request.getHost()).isEqualTo(target.uri().getHost());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "http://169.254.169.254/latest/meta-data | 169.254.169.254 | a link-local (cloud metadata)",
      "http://0xA9FEA9FE/latest/meta-data      | 169.254.169.254 | a link-local (cloud metadata)",
      "http://[::ffff:a9fe:a9fe]/feed.xml      | 169.254.169.254 | a link-local (cloud metadata)",
      "http://[fe80::1]/feed.xml               | fe80:0:0:0:0:0:0:1 | a link-local (cloud metadata)",
      "http://[2002:a9fe:a9fe::1]/feed.xml     | 2002:a9fe:a9fe:0:0:0:0:1 | a link-local (cloud metadata) IPv4 (embedded",
      "http://metadata.test/latest             | 169.254.169.254 | a link-local (cloud metadata)",
      "http://ec2-v6.test/latest               | fd00:ec2:0:0:0:0:0:254 | a cloud instance-metadata",
      "http://alibaba.test/latest              | 100.100.100.200 | a cloud instance-metadata",
      "http://[fd00:ec2::254]/latest           | fd00:ec2:0:0:0:0:0:254 | a cloud instance-metadata"
  })
  @DisplayName("link-local and cloud-metadata addresses are refused whatever the settings: with private networks "
      + "allowed, and with their range listed in ALLOWED_PRIVATE_HOSTS")
  void metadataAlwaysRefused(String url, String address, String kind) {
    NetworkPolicy.Resolver names = host -> List.of(InetAddress.getByName(switch (host) {
      case "metadata.test" -> "169.254.169.254";
      case "ec2-v6.test" -> "fd00:ec2::254";
      case "alibaba.test" -> "100.100.100.200";
      default -> throw new UnknownHostException(host);
    }));
    var opened = PrivateHosts.parse("169.254.0.0/16, fe80::/10, fd00::/8, 100.64.0.0/10, metadata.test");
    for (var policy : List.of(new NetworkPolicy(false, PrivateHosts.NONE, names, List.of()),
        new NetworkPolicy(true, PrivateHosts.NONE, names, List.of()),
        new NetworkPolicy(false, opened, names, List.of()))) {
      var failure = refusal(policy, url);
      assertThat(failure.code()).isEqualTo("metadata_address");
      assertThat(failure.getMessage()).contains(address).contains(kind).contains("never fetched");
    }
  }

  @Test
  @DisplayName("ALLOWED_PRIVATE_HOSTS opens the hosts it names and the ranges it lists, and nothing else")
  void allowedPrivateHosts() {
    NetworkPolicy.Resolver names = host -> List.of(InetAddress.getByName(switch (host) {
      case "nas.home", "NAS.home" -> "192.168.1.10";
      case "printer.home" -> "192.168.1.11";
      case "lab.home" -> "10.20.30.40";
      default -> throw new UnknownHostException(host);
    }));
    var policy = new NetworkPolicy(false, PrivateHosts.parse("nas.home, 10.0.0.0/8, fd12:3456::/32"), names,
        List.of());
    assertThat(Waits.await(policy.check(vertx, "http://NAS.home/feed.xml")).address().getHostAddress())
        .isEqualTo("192.168.1.10");
    assertThat(Waits.await(policy.check(vertx, "http://lab.home/feed.xml")).address().getHostAddress())
        .isEqualTo("10.20.30.40");
    assertThat(Waits.await(policy.check(vertx, "http://[fd12:3456::7]/feed.xml")).address()).isNotNull();
    var printer = refusal(policy, "http://printer.home/feed.xml");
    assertThat(printer.code()).isEqualTo("private_network");
    assertThat(printer.getMessage()).contains("192.168.1.11").contains("ALLOWED_PRIVATE_HOSTS");
    assertThat(refusal(policy, "http://127.0.0.1/feed.xml").code()).isEqualTo("private_network");
    assertThat(refusal(policy, "http://[fd12:3457::7]/feed.xml").code()).isEqualTo("private_network");
  }

  @Test
  @DisplayName("ALLOWED_PRIVATE_HOSTS entries that are neither host names nor CIDR ranges are refused by name")
  void badPrivateHosts() {
    for (var bad : List.of("10.0.0.0/33", "nas home", "example.com/24", "10.0.0.0/x")) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> PrivateHosts.parse(bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad.trim() + "'");
    }
    assertThat(PrivateHosts.parse(" , ").isEmpty()).isTrue();
  }

  @Test
  @DisplayName("hosts that are not URLs' hosts or not valid numbers are refused as invalid URLs")
  void invalid() {
    var policy = new NetworkPolicy(true);
    for (var url : List.of("http://0x7f.0.0.1/", "http://127.1/", "http://99999999999/", "http://0388.0.0.1/",
        "ftp://example.com/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1/")) {
      assertThat(refusal(policy, url).code()).as(url).isEqualTo("invalid_url");
    }
  }

  @Test
  @DisplayName("a name that answers a public address at check time and 127.0.0.1 later never reaches the loopback "
      + "server: the request goes to the checked address, and the next check refuses the new answer")
  void rebinding() throws Exception {
    var server = server(false);
    var calls = new AtomicInteger();
    NetworkPolicy.Resolver rebinding = host -> List.of(InetAddress.getByName(
        calls.getAndIncrement() == 0 ? "203.0.113.7" : "127.0.0.1"));
    var policy = new NetworkPolicy(false, rebinding, List.of());
    var client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1_000));
    // localhost is what the HTTP client's own resolver would answer 127.0.0.1 for.
    var url = "http://localhost:" + server.actualPort() + "/feed.xml";

    var target = Waits.await(policy.check(vertx, url));
    assertThat(target.address().getHostAddress()).isEqualTo("203.0.113.7");
    var sent = client.request(target.request()).compose(req -> req.send()).transform(ar -> Future
        .succeededFuture(ar.succeeded() ? "answered " + ar.result().statusCode() : "failed"));
    assertThat(Waits.await(sent)).isEqualTo("failed");

    assertThat(refusal(policy, url).getMessage()).contains("resolves to 127.0.0.1, a loopback address");
    assertThat(calls).hasValue(2);
    assertThat(hosts).isEmpty();
  }

  @Test
  @DisplayName("the pinned request keeps the name in the Host header and as the TLS server name")
  void hostAndServerName() throws Exception {
    NetworkPolicy.Resolver fixed = host -> {
      if (!host.equals("feeds.castbus.test")) {
        throw new UnknownHostException(host);
      }
      return List.of(InetAddress.getByName("127.0.0.1"));
    };
    var policy = new NetworkPolicy(true, fixed, List.of());
    var plain = server(false);
    var tls = server(true);
    var client = vertx.createHttpClient(new HttpClientOptions().setTrustAll(true).setVerifyHost(false));

    for (var url : List.of("http://feeds.castbus.test:" + plain.actualPort() + "/feed.xml",
        "https://feeds.castbus.test:" + tls.actualPort() + "/feed.xml")) {
      var target = Waits.await(policy.check(vertx, url));
      var body = Waits.await(client.request(target.request()).compose(req -> req.send())
          .compose(response -> response.body()));
      assertThat(body.toString()).isEqualTo("ok");
    }

    assertThat(hosts).containsExactly("feeds.castbus.test:" + plain.actualPort(),
        "feeds.castbus.test:" + tls.actualPort());
    assertThat(serverNames).containsExactly("feeds.castbus.test");
  }

  private NetworkPolicy.Refused refusal(NetworkPolicy policy, String url) {
    var failure = Waits.await(policy.check(vertx, url).transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(failure).as(url).isInstanceOf(NetworkPolicy.Refused.class);
    return (NetworkPolicy.Refused) failure;
  }

  private HttpServer server(boolean tls) throws Exception {
    var options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls) {
      options.setSsl(true).setSni(true).setKeyCertOptions(SelfSignedCertificate.create("feeds.castbus.test")
          .keyCertOptions());
    }
    return Waits.await(vertx.createHttpServer(options).requestHandler(req -> {
      hosts.add(req.authority().toString());
      if (req.isSSL()) {
        serverNames.add(String.valueOf(req.connection().indicatedServerName()));
      }
      req.response().end(Buffer.buffer("ok"));
    }).listen());
  }
}
