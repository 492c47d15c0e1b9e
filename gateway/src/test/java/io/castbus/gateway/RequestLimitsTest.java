package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.castbus.testkit.Waits;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Limits: body size 413, rate limits per key and per address 429 with Retry-After, live streams per key")
class RequestLimitsTest {

  @TempDir
  Path data;

  private static void assertRateLimited(ApiClient.Response response, String who) {
    assertThat(response.status()).as(response.toString()).isEqualTo(429);
    assertThat(Integer.parseInt(response.header("Retry-After"))).isBetween(1, 60);
    assertThat(response.json().getString("error")).isEqualTo("rate_limited");
    assertThat(response.json().getString("message")).contains(who);
  }

  @Test
  @DisplayName("a key over RATE_LIMIT_PER_MINUTE and an address over its own limit get 429; health and metrics never")
  void rateLimits() {
    try (var fixture = new GatewayFixture("gateway_rate_limits", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY,
        "RATE_LIMIT_PER_MINUTE", "5", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "8"))) {
      var admin = fixture.api();
      var made = admin.post("/api/admin/users", new JsonObject().put("name", "lim").put("role", "user").encode());
      assertThat(made.status()).isEqualTo(201);
      for (var i = 0; i < 4; i++) {
        assertThat(admin.get("/api/jobs").status()).isEqualTo(200);
      }
      assertRateLimited(admin.get("/api/jobs"), "this API key");

      var user = admin.withKey(made.json().getString("api_key"));
      assertThat(user.get("/api/jobs").status()).as("another key has its own allowance").isEqualTo(200);
      assertThat(user.get("/api/jobs").status()).isEqualTo(200);
      assertRateLimited(user.get("/api/jobs"), "this address");
      assertRateLimited(admin.withKey(null).get("/ui/index.html"), "this address");

      for (var i = 0; i < 20; i++) {
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);
        assertThat(admin.get("/metrics").status()).isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("a body over 1 MB is 413 in the JSON error shape; one key holds at most SSE_STREAMS_PER_KEY streams")
  void bodiesAndStreams() throws Exception {
    try (var fixture = new GatewayFixture("gateway_stream_cap", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY,
        "SSE_STREAMS_PER_KEY", "2"))) {
      var admin = fixture.api();
      var big = admin.post("/api/podcasts", "{\"rss_url\": \"" + "x".repeat(1_100_000) + "\"}");
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.json().getString("error")).isEqualTo("too_large");
      var bigImport = admin.call("POST", "/api/podcasts/import", "<opml>" + " ".repeat(5_300_000) + "</opml>",
          Map.of("Content-Type", "text/xml"));
      assertThat(bigImport.status()).isEqualTo(413);

      var http = fixture.vertx.createHttpClient();
      var options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
          .setPort(fixture.gateway.actualPort()).setURI("/api/events").putHeader("X-Api-Key", GatewayFixture.ADMIN_KEY);
      HttpClientResponse first = GatewayFixture.await(http.request(options).compose(r -> r.send()));
      HttpClientResponse second = GatewayFixture.await(http.request(options).compose(r -> r.send()));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      var third = GatewayFixture.await(http.request(options).compose(r -> r.send())
          .compose(r -> r.body().map(body -> Map.entry(r.statusCode(), body.toJsonObject()))));
      assertThat(third.getKey()).isEqualTo(429);
      assertThat(third.getValue().getString("error")).isEqualTo("too_many_streams");

      var made = admin.post("/api/admin/users", new JsonObject().put("name", "viewer").put("role", "user").encode());
      var other = new RequestOptions(options).putHeader("X-Api-Key", made.json().getString("api_key"));
      HttpClientResponse others = GatewayFixture.await(http.request(other).compose(r -> r.send()));
      assertThat(others.statusCode()).as("another key").isEqualTo(200);

      GatewayFixture.await(first.request().connection().close());
      Waits.until(Duration.ofSeconds(10), "a closed stream frees its place", () -> GatewayFixture.await(
          http.request(options).compose(r -> r.send())).statusCode() == 200);
    }
  }
}
