package io.castbus.scheduler.alert;

import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;

/**
 * Alerts as a JSON POST to WEBHOOK_URL, {@code {"key", "kind", "subject", "message", "metadata", "at"}}, through the
 * outbound path: giving up after 5 s to connect or 10 s of silence ({@link AlertLog} bounds the whole send). The
 * URL is the operator's own, set in the environment, so it may be on the private network (a home server's ntfy or
 * Home Assistant); a redirect is not followed.
 */
final class WebhookChannel implements AlertChannel {

  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the webhook", "the webhook's answer",
      "the webhook", "HTTP %d", "unreachable", "timeout", "timeout", "too_large", true);
  private static final OutboundHttp.Options OPTIONS = new OutboundHttp.Options(Duration.ofSeconds(5),
      Duration.ofSeconds(10), 0, "Castbus-Alerts/1", true, 4);
  private static final long MAX_ANSWER_BYTES = 64 * 1024;
  private static final Duration TOTAL = Duration.ofSeconds(30);

  private final OutboundHttp http;
  private final String url;

  WebhookChannel(Vertx vertx, String url) {
    this.http = new OutboundHttp(vertx, new NetworkPolicy(true), OPTIONS, WORDS);
    this.url = url;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Future<Void> send(Alert alert) {
    var body = alert.toJson().put("at", Instant.now().toString()).toBuffer();
    return http.open(OutboundHttp.Request.post(url, body, "application/json", MAX_ANSWER_BYTES, TOTAL))
        .compose(exchange -> {
          if (exchange.status() / 100 != 2) {
            exchange.discard();
            return Future.failedFuture(exchange.statusFailure());
          }
          return exchange.body().mapEmpty();
        });
  }
}
