package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.testkit.HostileUrls;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Feed fetches only reach the addresses the network policy checked, on every hop")
class OutboundSafetyTest {

  private final Vertx vertx = Vertx.vertx();
  private final FeedServer server;
  private final FeedServer victim;

  OutboundSafetyTest() throws Exception {
    server = new FeedServer(vertx);
    victim = new FeedServer(vertx);
    victim.feed("/feed.xml", Rss.feed("Inside", victim.url("/m"), 1, 1));
    victim.feed("/secret", Rss.feed("Secret", victim.url("/m"), 1, 1));
  }

  @AfterEach
  void close() throws Exception {
    server.close();
    victim.close();
    Waits.await(vertx.close());
  }

  @Test
  @DisplayName("redirects to loopback, metadata, [::1], numeric, mapped, unspecified, unique-local and link-local "
      + "addresses fail at once naming the address, and nothing behind them is asked")
  void hostileRedirects() {
    var fetcher = fetcher(new NetworkPolicy(false, NetworkPolicy.Resolver.SYSTEM, List.of(trusted(server))));
    var hostile = HostileUrls.aimedAt(victim.port());
    for (int i = 0; i < hostile.size(); i++) {
      var target = hostile.get(i);
      server.route("/hop" + i, req -> req.response().setStatusCode(302).putHeader("Location", target.url()).end());

      var failure = failure(fetcher.fetch(server.url("/hop" + i), FeedFetcher.Validators.NONE));

      assertThat(failure.code()).as(target.url()).isEqualTo(target.code());
      assertThat(failure.permanent()).isTrue();
      assertThat(failure.getMessage()).as(target.url()).contains(target.address()).contains("ALLOW_PRIVATE_NETWORKS");
    }
    assertThat(victim.hits("/secret")).isZero();
  }

  @Test
  @DisplayName("with ALLOW_PRIVATE_NETWORKS=true the same spellings are followed to the address they mean")
  void allowed() {
    var fetcher = fetcher(new NetworkPolicy(true));
    var port = victim.port();
    var spellings = List.of("http://2130706433:" + port, "http://0177.0.0.1:" + port, "http://0x7f000001:" + port,
        "http://[::ffff:127.0.0.1]:" + port, "http://localhost:" + port);
    for (int i = 0; i < spellings.size(); i++) {
      var location = spellings.get(i) + "/feed.xml";
      server.route("/ok" + i, req -> req.response().setStatusCode(302).putHeader("Location", location).end());

      var fetched = Waits.await(fetcher.fetch(server.url("/ok" + i), FeedFetcher.Validators.NONE));

      assertThat(new String(fetched.body())).contains("Inside");
      assertThat(fetched.finalUrl()).isEqualTo(location);
    }
    assertThat(victim.hits("/feed.xml")).isEqualTo(spellings.size());
  }

  @Test
  @DisplayName("a redirect to a name that answers a public address at check time and 127.0.0.1 later never reaches "
      + "the loopback server; the next fetch refuses the new answer")
  void rebinding() {
    var answers = new AtomicInteger();
    NetworkPolicy.Resolver rebinding = host -> List.of(InetAddress.getByName(
        answers.getAndIncrement() == 0 ? "203.0.113.7" : "127.0.0.1"));
    var fetcher = fetcher(new NetworkPolicy(false, rebinding, List.of(trusted(server))));
    // localhost: the name the HTTP client itself would resolve to the loopback server.
    var location = "http://localhost:" + victim.port() + "/feed.xml";
    server.route("/moved", req -> req.response().setStatusCode(302).putHeader("Location", location).end());

    var first = failure(fetcher.fetch(server.url("/moved"), FeedFetcher.Validators.NONE));
    assertThat(first.code()).isIn("unreachable", "timeout");
    assertThat(first.getMessage()).contains("localhost");

    var second = failure(fetcher.fetch(server.url("/moved"), FeedFetcher.Validators.NONE));
    assertThat(second.code()).isEqualTo("private_network");
    assertThat(second.getMessage()).contains("resolves to 127.0.0.1, a loopback address");

    assertThat(answers).hasValue(2);
    assertThat(victim.hits("/feed.xml")).isZero();
    assertThat(server.hits("/moved")).isEqualTo(2);
  }

  @Test
  @DisplayName("a host that does not resolve fails the fetch as retryable, naming the host: DNS may be back later")
  void unresolvableHost() {
    NetworkPolicy.Resolver outage = host -> {
      throw new java.net.UnknownHostException(host);
    };
    var fetcher = fetcher(new NetworkPolicy(false, outage, List.of()));

    var failure = failure(fetcher.fetch("http://feeds.example.org/show.xml", FeedFetcher.Validators.NONE));

    assertThat(failure.code()).isEqualTo("unknown_host");
    assertThat(failure.permanent()).isFalse();
    assertThat(failure.getMessage()).contains("'feeds.example.org' cannot be resolved");
  }

  private FeedFetcher fetcher(NetworkPolicy policy) {
    return new FeedFetcher(vertx, policy, FeedsFixture.OPTIONS);
  }

  private static InetSocketAddress trusted(FeedServer server) {
    return new InetSocketAddress("127.0.0.1", server.port());
  }

  private static RunFailure failure(Future<?> fetch) {
    var cause = Waits.await(fetch.transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(cause).isInstanceOf(RunFailure.class);
    return (RunFailure) cause;
  }
}
