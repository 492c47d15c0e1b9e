package io.castbus.downloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.RunFailure;
import io.castbus.testkit.HostileUrls;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Enclosure transfers only reach the addresses the network policy checked, on every hop, and end in time")
class OutboundSafetyTest {

  private static final byte[] AUDIO = MediaServer.bytes(20_000, 3);

  @TempDir
  Path library;

  private final Vertx vertx = Vertx.vertx();
  private final MediaServer server = new MediaServer();
  private final int victim = victimPort();

  @AfterEach
  void close() {
    server.close();
    Waits.await(vertx.close());
  }

  @Test
  @DisplayName("redirects to loopback, metadata, [::1], numeric, mapped, unspecified, unique-local and link-local "
      + "addresses fail the transfer at once naming the address; nothing behind them is asked, nothing is written")
  void hostileRedirects() throws Exception {
    var transfer = transfer(new NetworkPolicy(false, NetworkPolicy.Resolver.SYSTEM,
        List.of(new InetSocketAddress("127.0.0.1", server.port()))));
    var hostile = HostileUrls.aimedAt(victim);
    server.serve("/secret", MediaServer.Media.file(AUDIO));
    for (int i = 0; i < hostile.size(); i++) {
      var target = hostile.get(i);
      server.serve("/hop" + i, MediaServer.Media.status(302, Map.of("Location", target.url())));

      var failure = failure(transfer, server.url("/hop" + i));

      assertThat(failure.code()).as(target.url()).isEqualTo(target.code());
      assertThat(failure.permanent()).isTrue();
      assertThat(failure.getMessage()).as(target.url()).contains("may not be fetched", target.address(),
          "ALLOW_PRIVATE_NETWORKS");
    }
    assertThat(server.requests("/secret")).isEmpty();
    assertThat(Files.size(library.resolve("episode.part"))).isZero();
  }

  @Test
  @DisplayName("with ALLOW_PRIVATE_NETWORKS=true the same spellings are followed to the address they mean")
  void allowed() throws Exception {
    // Following real redirects, not waiting on a stall: an idle limit no loaded machine trips.
    var transfer = transfer(new NetworkPolicy(true), DownloadsFixture.LIMITS.idleTimeout(Duration.ofSeconds(30)));
    server.serve("/episode.mp3", MediaServer.Media.file(AUDIO));
    var spellings = List.of("http://2130706433:", "http://0177.0.0.1:", "http://0x7f000001:",
        "http://[::ffff:127.0.0.1]:");
    for (int i = 0; i < spellings.size(); i++) {
      var location = spellings.get(i) + victim + "/episode.mp3";
      server.serve("/ok" + i, MediaServer.Media.status(302, Map.of("Location", location)));

      var outcome = Waits.await(transfer.fetch(server.url("/ok" + i), part(), 0, null, null, never(), listener()));

      assertThat(outcome.bytes()).isEqualTo(AUDIO.length);
      assertThat(outcome.start().url()).isEqualTo(location);
      assertThat(Files.readAllBytes(part())).isEqualTo(AUDIO);
    }
    assertThat(server.requests("/episode.mp3")).hasSize(spellings.size());
  }

  @Test
  @DisplayName("a redirect to a name that answers a public address at check time and 127.0.0.1 later never reaches "
      + "the loopback server; the next attempt refuses the new answer")
  void rebinding() throws Exception {
    var answers = new AtomicInteger();
    NetworkPolicy.Resolver rebinding = host -> List.of(InetAddress.getByName(
        answers.getAndIncrement() == 0 ? "203.0.113.7" : "127.0.0.1"));
    var transfer = transfer(new NetworkPolicy(false, rebinding,
        List.of(new InetSocketAddress("127.0.0.1", server.port()))));
    server.serve("/episode.mp3", MediaServer.Media.file(AUDIO));
    // localhost: the name the HTTP client itself would resolve to the loopback server.
    server.serve("/moved", MediaServer.Media.status(302, Map.of("Location",
        "http://localhost:" + victim + "/episode.mp3")));

    var first = failure(transfer, server.url("/moved"));
    assertThat(first.code()).isIn("connection", "stalled");
    assertThat(first.permanent()).isFalse();

    var second = failure(transfer, server.url("/moved"));
    assertThat(second.code()).isEqualTo("private_network");
    assertThat(second.getMessage()).contains("resolves to 127.0.0.1, a loopback address");

    assertThat(answers).hasValue(2);
    assertThat(server.requests("/episode.mp3")).isEmpty();
    assertThat(server.requests("/moved")).hasSize(2);
  }

  @Test
  @DisplayName("an enclosure host that does not resolve fails the attempt as retryable, naming the host")
  void unresolvableHost() throws Exception {
    NetworkPolicy.Resolver outage = host -> {
      throw new java.net.UnknownHostException(host);
    };
    var transfer = transfer(new NetworkPolicy(false, outage, List.of()));

    var failure = failure(transfer, "http://media.example.org/episode.mp3");

    assertThat(failure.code()).isEqualTo("unknown_host");
    assertThat(failure.permanent()).isFalse();
    assertThat(failure.getMessage()).contains("'media.example.org' cannot be resolved");
  }

  @Test
  @DisplayName("a server that keeps sending, slowly enough never to be idle, is cut off at the attempt's total "
      + "limit; what arrived stays for the next attempt to resume")
  void totalTimeout() throws Exception {
    var audio = MediaServer.bytes(40 * 16 * 1024, 5);
    server.serve("/slow.mp3", MediaServer.Media.file(audio).slow(150));
    var transfer = transfer(new NetworkPolicy(true), DownloadsFixture.LIMITS.totalTimeout(Duration.ofMillis(1_500)));

    var failure = failure(transfer, server.url("/slow.mp3"));

    assertThat(failure.code()).isEqualTo("timeout");
    assertThat(failure.permanent()).isFalse();
    assertThat(failure.getMessage()).contains("did not finish within 1500 ms");
    assertThat(Files.size(part())).isPositive().isLessThan(audio.length);
  }

  private Transfer transfer(NetworkPolicy policy) {
    return transfer(policy, DownloadsFixture.LIMITS);
  }

  private Transfer transfer(NetworkPolicy policy, DownloadLimits limits) {
    var http = new OutboundHttp(vertx, policy, Transfer.outbound(limits), Transfer.WORDS);
    return new Transfer(vertx, http, limits, library);
  }

  private RunFailure failure(Transfer transfer, String url) throws Exception {
    var cause = Waits.await(transfer.fetch(url, part(), 0, null, null, never(), listener())
        .transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(cause).as(url).isInstanceOf(RunFailure.class);
    return (RunFailure) cause;
  }

  private Path part() throws Exception {
    var part = library.resolve("episode.part");
    if (!Files.exists(part)) {
      Files.createFile(part);
    }
    return part;
  }

  private int victimPort() {
    // The second port of the media server: the same content, another endpoint the policy does not trust.
    return Integer.parseInt(server.urlOnSecond("/").replaceAll(".*:(\\d+)/", "$1"));
  }

  private static Future<String> never() {
    return Promise.<String>promise().future();
  }

  private static Transfer.Listener listener() {
    return new Transfer.Listener() {
      @Override
      public Future<Void> started(Transfer.Start start) {
        return Future.succeededFuture();
      }

      @Override
      public void progress(long bytes, Long total) {
      }
    };
  }
}
