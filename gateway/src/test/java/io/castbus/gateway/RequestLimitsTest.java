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
      assertRateLimited(admin.get("/api/jobs"), "this user");

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
      HttpClientResponse first = Waits.await(http.request(options).compose(r -> r.send()));
      HttpClientResponse second = Waits.await(http.request(options).compose(r -> r.send()));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      var third = Waits.await(http.request(options).compose(r -> r.send())
          .compose(r -> r.body().map(body -> Map.entry(r.statusCode(), body.toJsonObject()))));
      assertThat(third.getKey()).isEqualTo(429);
      assertThat(third.getValue().getString("error")).isEqualTo("too_many_streams");

      var made = admin.post("/api/admin/users", new JsonObject().put("name", "viewer").put("role", "user").encode());
      var other = new RequestOptions(options).putHeader("X-Api-Key", made.json().getString("api_key"));
      HttpClientResponse others = Waits.await(http.request(other).compose(r -> r.send()));
      assertThat(others.statusCode()).as("another key").isEqualTo(200);

      Waits.await(first.request().connection().close());
      Waits.until(Duration.ofSeconds(10), "a closed stream frees its place", () -> Waits.await(
          http.request(options).compose(r -> r.send())).statusCode() == 200);
    }
  }

  @Test
  @DisplayName("limits count per user, not per key: ten keys of one user share one rate allowance and one stream "
      + "cap, a user holds at most 20 keys, and local-open's keyless clients share a stream cap too")
  void limitsPerUser() {
    try (var fixture = new GatewayFixture("gateway_per_user", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY,
        "RATE_LIMIT_PER_MINUTE", "12"))) {
      var admin = fixture.api();
      var first = admin.post("/api/admin/users", new JsonObject().put("name", "many").put("role", "user").encode())
          .json().getString("api_key");
      var user = admin.withKey(first);
      var keys = new java.util.ArrayList<String>(java.util.List.of(first));
      for (var i = 0; i < 4; i++) {
        keys.add(user.post("/api/me/keys", "{}").json().getString("api_key"));
      }
      var answered = 0;
      var limited = false;
      for (var i = 0; i < 40 && !limited; i++) {
        var answer = user.withKey(keys.get(i % keys.size())).get("/api/jobs");
        limited = answer.status() == 429;
        answered += limited ? 0 : 1;
        if (limited) {
          assertRateLimited(answer, "this user");
        }
      }
      assertThat(limited).isTrue();
      assertThat(answered).as("the user's requests before the limit, whatever key").isLessThan(12);
    }
    try (var fixture = new GatewayFixture("gateway_user_streams", data, Map.of("ADMIN_API_KEY",
        GatewayFixture.ADMIN_KEY, "SSE_STREAMS_PER_USER", "2"))) {
      var admin = fixture.api();
      var first = admin.post("/api/admin/users", new JsonObject().put("name", "streamer").put("role", "user").encode())
          .json().getString("api_key");
      var user = admin.withKey(first);
      var keys = new java.util.ArrayList<String>(java.util.List.of(first));
      for (var i = 1; i < AuthStoreLimits.KEYS; i++) {
        var made = user.post("/api/me/keys", "{}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        keys.add(made.json().getString("api_key"));
      }
      var refused = user.post("/api/me/keys", "{}");
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.json().getString("message")).contains("at most 20 API keys");

      var http = fixture.vertx.createHttpClient();
      assertThat(stream(http, fixture, keys.get(0))).isEqualTo(200);
      assertThat(stream(http, fixture, keys.get(1))).isEqualTo(200);
      assertThat(stream(http, fixture, keys.get(2))).as("a third stream through a third key").isEqualTo(429);
      assertThat(stream(http, fixture, GatewayFixture.ADMIN_KEY)).as("another user").isEqualTo(200);
    }
    try (var fixture = new GatewayFixture("gateway_local_streams", data, Map.of("AUTH_MODE", "local-open",
        "SSE_STREAMS_PER_USER", "2"))) {
      var http = fixture.vertx.createHttpClient();
      assertThat(stream(http, fixture, null)).isEqualTo(200);
      assertThat(stream(http, fixture, null)).isEqualTo(200);
      assertThat(stream(http, fixture, null)).as("local-open has a stream cap too").isEqualTo(429);
    }
  }

  private static final class AuthStoreLimits {
    static final int KEYS = io.castbus.gateway.auth.AuthStore.KEYS_PER_USER;
  }

  /** Opens a live stream (left open) and answers its status. */
  private static int stream(io.vertx.core.http.HttpClient http, GatewayFixture fixture, String key) {
    var options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(fixture.gateway.actualPort()).setURI("/api/events");
    if (key != null) {
      options.putHeader("X-Api-Key", key);
    }
    HttpClientResponse response = Waits.await(http.request(options).compose(r -> r.send()));
    return response.statusCode();
  }
}
