package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Who may call the gateway: the generated admin key, and AUTH_MODE=local-open")
class GatewayAccessTest {

  @TempDir
  Path data;

  @Test
  @DisplayName("without ADMIN_API_KEY a key is generated once, saved 0600 in DATA_DIR, and works")
  void generatedAdminKey() throws Exception {
    try (var fixture = new GatewayFixture("gateway_bootstrap", data, Map.of())) {
      var file = data.resolve("admin-api-key");
      assertThat(file).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      var key = Files.readString(file).trim();
      assertThat(key).startsWith("cb_").hasSizeGreaterThan(40);
      var api = new ApiClient("http://127.0.0.1:" + fixture.gateway.actualPort(), key);
      assertThat(api.get("/api/jobs").status()).isEqualTo(200);
      assertThat(api.withKey(null).get("/api/jobs").status()).isEqualTo(401);

      // A second gateway on the same database finds the admin key and generates none.
      Files.delete(file);
      var second = new GatewayVerticle(fixture.process);
      Waits.await(fixture.vertx.deployVerticle(second));
      assertThat(file).doesNotExist();
      var rows = Waits.await(fixture.process.pool().query("select count(*) from api_keys").execute());
      assertThat(rows.iterator().next().getLong(0)).isEqualTo(1L);
    }
  }

  @Test
  @DisplayName("local-open: a loopback client needs no key, unless it relays, is another site's page or names a foreign host")
  void localOpen() {
    try (var fixture = new GatewayFixture("gateway_local_open", data, Map.of("AUTH_MODE", "local-open"))) {
      var anonymous = new ApiClient("http://127.0.0.1:" + fixture.gateway.actualPort(), null);
      assertThat(anonymous.get("/api/jobs").status()).isEqualTo(200);
      var triggered = anonymous.post("/api/jobs/expire_runs/trigger", null);
      assertThat(triggered.status()).isEqualTo(202);
      var sameSite = anonymous.call("POST", "/api/jobs/expire_runs/trigger", null,
          Map.of("Origin", "http://127.0.0.1:" + fixture.gateway.actualPort()));
      assertThat(sameSite.status()).as("the dashboard's own page").isEqualTo(202);
      var crossSite = anonymous.call("POST", "/api/jobs/expire_runs/trigger", null,
          Map.of("Origin", "https://evil.example"));
      assertThat(crossSite.status()).as("another site's page in the operator's browser").isEqualTo(403);
      var proxied = anonymous.call("GET", "/api/jobs", null, Map.of("X-Forwarded-For", "203.0.113.9"));
      assertThat(proxied.status()).isEqualTo(401);
      var forwarded = anonymous.call("GET", "/api/jobs", null, Map.of("Forwarded", "for=203.0.113.9"));
      assertThat(forwarded.status()).isEqualTo(401);
      var port = fixture.gateway.actualPort();
      assertThat(rawStatus(port, "localhost:" + port)).isEqualTo(200);
      assertThat(rawStatus(port, "[::1]:" + port)).isEqualTo(200);
      assertThat(rawStatus(port, "rebound.example:" + port)).as("a re-pointed name (DNS rebinding)").isEqualTo(401);
    }
  }

  /** GET /api/jobs over a raw socket with the given Host header, which HttpClient will not let us set. */
  private static int rawStatus(int port, String host) {
    try (var socket = new java.net.Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET /api/jobs HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      var answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return Integer.parseInt(answer.substring(9, 12));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
