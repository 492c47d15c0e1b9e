package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.ApiClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Dashboard sessions: a key traded for an HttpOnly SameSite cookie and a CSRF token, on every gateway")
class SessionTest {

  @TempDir
  static Path data;
  static GatewayFixture fixture;
  static ApiClient admin;
  static ApiClient anonymous;
  static ApiClient otherGateway;
  static String origin;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_sessions", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    admin = fixture.api();
    anonymous = admin.withKey(null);
    origin = admin.baseUrl();
    var second = new GatewayVerticle(fixture.process);
    Waits.await(fixture.vertx.deployVerticle(second));
    otherGateway = new ApiClient("http://127.0.0.1:" + second.actualPort(), null);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private record Login(String cookie, String csrf, String setCookie) {
  }

  private static Login login(String key, Map<String, String> headers) {
    var response = anonymous.call("POST", "/api/session", new JsonObject().put("api_key", key).encode(), headers);
    assertThat(response.status()).as(response.toString()).isEqualTo(201);
    var setCookie = response.header("set-cookie");
    assertThat(setCookie).startsWith("castbus_session=");
    return new Login(setCookie.substring(0, setCookie.indexOf(';')), response.json().getString("csrf_token"),
        setCookie);
  }

  private static ApiClient.Response withCookie(ApiClient client, String method, String path, Login login,
      String csrf, String fromOrigin) {
    var headers = new HashMap<String, String>();
    headers.put("Cookie", login.cookie());
    if (csrf != null) {
      headers.put("X-CSRF-Token", csrf);
    }
    if (fromOrigin != null) {
      headers.put("Origin", fromOrigin);
    }
    return client.call(method, path, null, headers);
  }

  @Test
  @DisplayName("log in: the cookie is HttpOnly, SameSite=Strict, Path=/; only its hash is stored; a wrong key is 401")
  void loginSetsCookie() {
    assertThat(anonymous.post("/api/session", "{\"api_key\": \"cb_wrong\"}").status()).isEqualTo(401);
    assertThat(anonymous.post("/api/session", "{}").status()).isEqualTo(400);
    var login = login(GatewayFixture.ADMIN_KEY, Map.of());
    assertThat(login.setCookie()).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/")
        .doesNotContain("Secure");
    assertThat(login.csrf()).hasSizeGreaterThan(40);
    var id = login.cookie().substring("castbus_session=".length());
    var stored = Waits.await(fixture.process.pool().query("select id from sessions").execute());
    stored.forEach(row -> assertThat(row.getString("id")).isNotEqualTo(id));

    var me = withCookie(anonymous, "GET", "/api/session", login, null, null);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().getJsonObject("user").getString("name")).isEqualTo("admin");
    assertThat(me.json().getString("csrf_token")).isEqualTo(login.csrf());
    assertThat(withCookie(anonymous, "GET", "/api/jobs", login, null, null).status()).isEqualTo(200);
    assertThat(withCookie(otherGateway, "GET", "/api/jobs", login, null, null).status()).as("any replica")
        .isEqualTo(200);

    var overHttps = login(GatewayFixture.ADMIN_KEY, Map.of("X-Forwarded-Proto", "https"));
    assertThat(overHttps.setCookie()).contains("Secure");
    var crossSite = anonymous.call("POST", "/api/session",
        new JsonObject().put("api_key", GatewayFixture.ADMIN_KEY).encode(), Map.of("Origin", "https://evil.example"));
    assertThat(crossSite.status()).isEqualTo(403);
  }

  @Test
  @DisplayName("a state change by cookie needs the CSRF token and a same-origin Origin, else 403")
  void csrf() {
    var login = login(GatewayFixture.ADMIN_KEY, Map.of());
    var pause = "/api/jobs/expire_runs/pause";
    assertThat(withCookie(anonymous, "POST", pause, login, null, null).status()).as("no token").isEqualTo(403);
    assertThat(withCookie(anonymous, "POST", pause, login, "x" + login.csrf(), null).status()).as("wrong token")
        .isEqualTo(403);
    assertThat(withCookie(anonymous, "POST", pause, login, login.csrf(), "https://evil.example").status())
        .as("another origin").isEqualTo(403);
    assertThat(withCookie(anonymous, "POST", pause, login, login.csrf(), "null").status()).as("opaque origin")
        .isEqualTo(403);
    assertThat(admin.get("/api/jobs/expire_runs").json().getBoolean("paused")).isFalse();

    assertThat(withCookie(anonymous, "POST", pause, login, login.csrf(), origin).status()).isEqualTo(200);
    assertThat(withCookie(otherGateway, "POST", "/api/jobs/expire_runs/resume", login, login.csrf(), null).status())
        .isEqualTo(200);
    assertThat(admin.get("/api/jobs/expire_runs").json().getBoolean("paused")).isFalse();
  }

  @Test
  @DisplayName("log out ends the session on every gateway and clears the cookie")
  void logout() {
    var login = login(GatewayFixture.ADMIN_KEY, Map.of());
    assertThat(withCookie(anonymous, "DELETE", "/api/session", login, null, null).status()).as("needs the token")
        .isEqualTo(403);
    var out = withCookie(anonymous, "DELETE", "/api/session", login, login.csrf(), origin);
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.header("set-cookie")).startsWith("castbus_session=;").contains("Max-Age=0");
    var after = withCookie(otherGateway, "GET", "/api/jobs", login, null, null);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.json().getString("message")).contains("session has ended");
  }

  @Test
  @DisplayName("revoking the key that opened a session, or deleting its user, ends the session at once")
  void revocationEndsSessions() {
    var made = admin.post("/api/admin/users", new JsonObject().put("name", "sam").put("role", "user").encode()).json();
    var key = made.getString("api_key");
    var sam = admin.withKey(key);
    var second = sam.post("/api/me/keys", null).json();
    var first = login(key, Map.of());
    var other = login(second.getString("api_key"), Map.of());
    assertThat(withCookie(anonymous, "GET", "/api/me/keys", first, null, null).status()).isEqualTo(200);

    var firstKeyId = sam.get("/api/me/keys").json().getJsonArray("keys").getJsonObject(0).getLong("id");
    assertThat(sam.withKey(second.getString("api_key")).call("DELETE", "/api/me/keys/" + firstKeyId, null).status())
        .isEqualTo(200);
    assertThat(withCookie(anonymous, "GET", "/api/me/keys", first, null, null).status()).isEqualTo(401);
    assertThat(withCookie(anonymous, "GET", "/api/me/keys", other, null, null).status()).isEqualTo(200);

    assertThat(admin.call("DELETE", "/api/admin/users/" + made.getLong("id"), null).status()).isEqualTo(200);
    assertThat(withCookie(otherGateway, "GET", "/api/me/keys", other, null, null).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("a session slides to 12 hours after each use; one left idle longer is refused")
  void expiry() {
    var login = login(GatewayFixture.ADMIN_KEY, Map.of());
    var pool = fixture.process.pool();
    Waits.await(pool.query("update sessions set expires_at = now() + interval '1 minute'").execute());
    assertThat(withCookie(anonymous, "GET", "/api/jobs", login, null, null).status()).isEqualTo(200);
    var left = Waits.await(pool.query("select extract(epoch from max(expires_at) - now())::float8 "
        + "from sessions").execute()).iterator().next().getDouble(0);
    assertThat(left).as("slid back to about 12 hours").isBetween(12 * 3600 - 60.0, 12 * 3600.0);
    Waits.await(pool.query("update sessions set expires_at = now() - interval '1 second'").execute());
    assertThat(withCookie(anonymous, "GET", "/api/jobs", login, null, null).status()).isEqualTo(401);
  }
}
