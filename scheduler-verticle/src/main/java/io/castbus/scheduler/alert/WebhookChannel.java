package io.castbus.scheduler.alert;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;

/**
 * Alerts as a JSON POST to WEBHOOK_URL: {@code {"key", "kind", "subject", "message", "metadata", "at"}}, giving up
 * after 5 s to connect or 10 s of silence ({@link AlertLog} bounds the whole send).
 */
final class WebhookChannel implements AlertChannel {

  private static final int CONNECT_MS = 5_000;
  private static final long IDLE_MS = 10_000;

  private final WebClient client;
  private final String url;

  WebhookChannel(Vertx vertx, String url) {
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Castbus-Alerts/1")
        .setConnectTimeout(CONNECT_MS));
    this.url = url;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Future<Void> send(Alert alert) {
    return client.postAbs(url).connectTimeout(CONNECT_MS).idleTimeout(IDLE_MS)
        .sendJsonObject(alert.toJson().put("at", Instant.now().toString()))
        .compose(response -> response.statusCode() / 100 == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture("the webhook answered HTTP " + response.statusCode()));
  }
}
