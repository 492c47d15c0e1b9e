package io.castbus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The gateway under an outside probe: rebinding Hosts, ambiguous framing, slow and unauthenticated bodies, "
    + "answer headers")
class OutsideProbeTest {

  @TempDir
  Path data;

  @Test
  @DisplayName("local-open gives no free pass to a Host that only looks local (127.evil.example, 127.0.0.1.nip.io, "
      + "localhost.evil, 127.1), with or without a port; localhost, 127.0.0.1 and [::1] still pass")
  void rebindingHostsRefused() {
    try (var fixture = new GatewayFixture("probe_rebinding", data, Map.of("AUTH_MODE", "local-open"))) {
      var port = fixture.gateway.actualPort();
      for (var host : List.of("127.evil.example", "127.0.0.1.nip.io", "localhost.evil", "127.1", "127.0.0.2")) {
        for (var spelled : List.of(host, host + ":" + port)) {
          assertThat(RawHttp.send(port, RawHttp.get("/api/jobs", spelled)).status()).as(spelled).isEqualTo(401);
        }
      }
      var rebound = "127.evil.example:" + port;
      var body = "{\"name\":\"rebound\",\"role\":\"admin\"}";
      var createAdmin = RawHttp.send(port, "POST /api/admin/users HTTP/1.1\r\nHost: " + rebound + "\r\nOrigin: http://"
          + rebound + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body);
      assertThat(createAdmin.status()).as(createAdmin.text()).isEqualTo(401);
      assertThat(createAdmin.text()).doesNotContain("api_key");
      for (var host : List.of("localhost", "localhost:" + port, "127.0.0.1", "127.0.0.1:" + port, "[::1]",
          "[::1]:" + port, "LOCALHOST:" + port)) {
        assertThat(RawHttp.send(port, RawHttp.get("/api/jobs", host)).status()).as(host).isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("a request without Host, with two, with user info or a bad port, or with both Content-Length and "
      + "Transfer-Encoding answers 400 naming the cause and closes its connection")
  void ambiguousRequestsRefused() {
    try (var fixture = new GatewayFixture("probe_framing", data, Map.of("AUTH_MODE", "local-open"))) {
      var port = fixture.gateway.actualPort();
      var noHost = RawHttp.send(port, "GET /api/jobs HTTP/1.0\r\n\r\n");
      assertThat(noHost.status()).isEqualTo(400);
      assertThat(noHost.text()).contains("no Host header");
      var noHost11 = RawHttp.send(port, "GET /api/jobs HTTP/1.1\r\n\r\n");
      assertThat(noHost11.status()).isEqualTo(400);
      var twoHosts = RawHttp.send(port, "GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
      assertThat(twoHosts.status()).isEqualTo(400);
      assertThat(twoHosts.text()).contains("more than one Host header").doesNotContain("evil.example");
      assertThat(twoHosts.closed()).isTrue();
      for (var host : List.of("user@127.0.0.1", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:80:80", "local host")) {
        var answer = RawHttp.send(port, RawHttp.get("/api/jobs", host));
        assertThat(answer.status()).as(host).isEqualTo(400);
      }
      var smuggled = RawHttp.send(port, "POST /api/jobs/expire_runs/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
          + "0\r\n\r\nGET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(smuggled.status()).as(smuggled.text()).isEqualTo(400);
      assertThat(smuggled.text()).contains("both Content-Length and Transfer-Encoding");
      assertThat(smuggled.closed()).as("the connection closes: nothing after it is read as a request").isTrue();
      assertThat(smuggled.text().split("HTTP/1.1 ", -1)).as("one answer only").hasSize(2);
    }
  }

  @Test
  @DisplayName("50 unauthenticated 5 MB uploads held at their last byte are refused unread and closed, a slow "
      + "authenticated body gets 408, slow headers are cut off, and other clients are served throughout")
  void slowAndUnauthenticatedBodies() throws Exception {
    try (var fixture = new GatewayFixture("probe_slow", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY))) {
      var port = fixture.gateway.actualPort();
      var api = fixture.api();
      var length = 5_241_880;
      var held = new ArrayList<CompletableFuture<RawHttp.Answer>>();
      for (var i = 0; i < 50; i++) {
        held.add(CompletableFuture.supplyAsync(() -> holdUpload(port, null, length)));
      }
      var authenticatedSlow = CompletableFuture.supplyAsync(() -> holdUpload(port, GatewayFixture.ADMIN_KEY, 100));
      var slowHeaders = CompletableFuture.supplyAsync(() -> RawHttp.send(port,
          "GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ".getBytes(StandardCharsets.US_ASCII), 40_000));
      for (var i = 0; i < 20; i++) {
        assertThat(api.get("/api/jobs").status()).as("another client meanwhile").isEqualTo(200);
      }
      for (var upload : held) {
        var answer = upload.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.text()).isEqualTo(401);
        assertThat(answer.closed()).isTrue();
      }
      var cut = slowHeaders.get(40, TimeUnit.SECONDS);
      assertThat(cut.closed()).as("headers that never end: the connection is closed").isTrue();
      var slow = authenticatedSlow.get(60, TimeUnit.SECONDS);
      assertThat(slow.status()).as(slow.text()).isEqualTo(408);
      assertThat(slow.closed()).isTrue();
      assertThat(api.get("/api/jobs").status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("unknown methods answer 501 and add no series to /metrics; health and metrics are rate-limited by "
      + "address on an allowance of their own")
  void unknownMethodsAndHealthLimits() {
    try (var fixture = new GatewayFixture("probe_methods", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY))) {
      var port = fixture.gateway.actualPort();
      var api = fixture.api();
      for (var i = 0; i < 40; i++) {
        var answer = RawHttp.send(port, "XAB" + i + " /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(answer.status()).isEqualTo(501);
      }
      var metrics = api.get("/metrics").text();
      assertThat(metrics).doesNotContain("XAB");
      assertThat(metrics).contains("method=\"OTHER\"").contains("method=\"GET\"");

      var limited = 0;
      for (var i = 0; i < RequestLimits.OPS_PER_ADDRESS_PER_MINUTE + 50 && limited == 0; i++) {
        limited += api.get("/health/live").status() == 429 ? 1 : 0;
      }
      assertThat(limited).as("health beyond its allowance").isEqualTo(1);
      assertThat(api.get("/api/jobs").status()).as("the API's allowance is its own").isEqualTo(200);
    }
  }

  /** An OPML import whose headers promise {@code length} bytes and whose body stops one byte short. */
  private static RawHttp.Answer holdUpload(int port, String key, int length) {
    var head = "POST /api/podcasts/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
        + (key == null ? "" : "X-Api-Key: " + key + "\r\n") + "Content-Length: " + length + "\r\n\r\n";
    var request = new byte[head.length() + length - 1];
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
    java.util.Arrays.fill(request, head.length(), request.length, (byte) ' ');
    return RawHttp.send(port, request, 45_000);
  }

  @Test
  @DisplayName("the dashboard cannot be framed; API answers are not sniffed nor stored; a bad header's 400 does not "
      + "echo its value")
  void answerHeaders() {
    try (var fixture = new GatewayFixture("probe_headers", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY))) {
      var api = fixture.api();
      var page = api.get("/ui/index.html");
      assertThat(page.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
      assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
      var user = api.post("/api/admin/users", "{\"name\": \"carol\", \"role\": \"user\"}");
      assertThat(user.status()).isEqualTo(201);
      assertThat(user.header("Cache-Control")).isEqualTo("no-store");
      assertThat(user.header("X-Content-Type-Options")).isEqualTo("nosniff");
      var secret = "cb_" + "s".repeat(600);
      var bad = new ApiClient(api.baseUrl(), null).call("GET", "/api/jobs", null, Map.of("X-Api-Key", secret));
      assertThat(bad.status()).isIn(400, 401);
      assertThat(bad.text()).doesNotContain("ssssssssss");
      var controlCharacter = RawHttp.send(fixture.gateway.actualPort(),
          "GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: cb_the_senders_own\u0001key\r\n\r\n");
      assertThat(controlCharacter.status()).isEqualTo(400);
      assertThat(controlCharacter.text()).contains("not valid HTTP").doesNotContain("senders_own");
    }
  }
}
