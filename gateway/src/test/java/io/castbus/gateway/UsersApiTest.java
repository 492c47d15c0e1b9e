package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.testkit.ApiClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Users and API keys: created by admins, keys shown once, revoked at once on every gateway")
class UsersApiTest {

  @TempDir
  static Path data;
  static GatewayFixture fixture;
  static ApiClient admin;
  static ApiClient otherGateway;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_users", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    admin = fixture.api();
    var second = new GatewayVerticle(fixture.process);
    Waits.await(fixture.vertx.deployVerticle(second));
    otherGateway = new ApiClient("http://127.0.0.1:" + second.actualPort(), GatewayFixture.ADMIN_KEY);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static JsonObject createUser(String name, String role) {
    var created = admin.post("/api/admin/users", new JsonObject().put("name", name).put("role", role).encode());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  @Test
  @DisplayName("an admin creates a user whose key is shown once; names are unique and validated; lists show no secret")
  void createAndList() {
    var alice = createUser("alice", "user");
    assertThat(alice.getString("role")).isEqualTo("user");
    assertThat(alice.getString("api_key")).startsWith("cb_").hasSizeGreaterThan(40);

    var again = admin.post("/api/admin/users", "{\"name\": \"alice\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("message")).contains("alice");
    assertThat(admin.post("/api/admin/users", "{\"name\": \"../root\"}").status()).isEqualTo(400);
    assertThat(admin.post("/api/admin/users", "{\"name\": \"bob\", \"role\": \"superuser\"}").status()).isEqualTo(400);

    var listed = admin.get("/api/admin/users");
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.text()).contains("\"alice\"").doesNotContain(alice.getString("api_key"));
    var user = new ApiClient(admin.baseUrl(), alice.getString("api_key"));
    assertThat(user.get("/api/jobs").status()).isEqualTo(200);
    assertThat(user.get("/api/admin/users").status()).as("users are not admins").isEqualTo(403);
  }

  @Test
  @DisplayName("a user makes and lists their own keys (prefixes only); a revoked key fails at once on every gateway")
  void ownKeysAndRevocation() {
    var carol = createUser("carol", "user");
    var first = new ApiClient(admin.baseUrl(), carol.getString("api_key"));
    var made = first.post("/api/me/keys", null);
    assertThat(made.status()).isEqualTo(201);
    var secondKey = made.json().getString("api_key");
    var keys = first.get("/api/me/keys").json().getJsonArray("keys");
    assertThat(keys).hasSize(2);
    assertThat(keys.encode()).doesNotContain(secondKey).contains("\"" + secondKey.substring(0, 4) + "\"");

    var viaOther = new ApiClient(otherGateway.baseUrl(), secondKey);
    assertThat(viaOther.get("/api/jobs").status()).as("cached as valid on the other gateway").isEqualTo(200);
    var revoked = first.call("DELETE", "/api/me/keys/" + made.json().getLong("id"), null);
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(viaOther.get("/api/jobs").status()).isEqualTo(401);
    assertThat(new ApiClient(admin.baseUrl(), secondKey).get("/api/jobs").status()).isEqualTo(401);
    assertThat(first.get("/api/jobs").status()).as("the other key still works").isEqualTo(200);

    var dave = createUser("dave", "user");
    var daveKeys = new ApiClient(admin.baseUrl(), dave.getString("api_key")).get("/api/me/keys").json();
    var daveKeyId = daveKeys.getJsonArray("keys").getJsonObject(0).getLong("id");
    assertThat(first.call("DELETE", "/api/me/keys/" + daveKeyId, null).status()).as("not carol's key").isEqualTo(404);
  }

  @Test
  @DisplayName("deleting a user revokes its keys everywhere; unknown users are 404; admins cannot delete themselves")
  void deleteUser() {
    var erin = createUser("erin", "user");
    var erinApi = new ApiClient(otherGateway.baseUrl(), erin.getString("api_key"));
    assertThat(erinApi.get("/api/jobs").status()).isEqualTo(200);
    assertThat(admin.call("DELETE", "/api/admin/users/" + erin.getLong("id"), null).status()).isEqualTo(200);
    assertThat(erinApi.get("/api/jobs").status()).isEqualTo(401);
    assertThat(admin.call("DELETE", "/api/admin/users/" + erin.getLong("id"), null).status()).isEqualTo(404);

    var adminId = admin.get("/api/admin/users").json().getJsonArray("users").stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("name").equals("admin")).findFirst().orElseThrow().getLong("id");
    var self = admin.call("DELETE", "/api/admin/users/" + adminId, null);
    assertThat(self.status()).isEqualTo(409);
  }

  @Test
  @DisplayName("an admin lists one user's runs, and only theirs")
  void userRuns() {
    var frank = createUser("frank", "user");
    var queue = new RunQueue(fixture.vertx, fixture.process.pool());
    var his = Waits.await(queue.enqueue(NewRun.of("report", new JsonObject()).owner("frank", frank.getLong("id")))).toString();
    var grace = createUser("grace", "user");
    Waits.await(queue.enqueue(NewRun.of("report", new JsonObject()).owner("grace", grace.getLong("id"))));

    var runs = admin.get("/api/admin/users/" + frank.getLong("id") + "/runs?limit=10");
    assertThat(runs.status()).as(runs.toString()).isEqualTo(200);
    var listed = runs.json().getJsonArray("runs");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("id")).isEqualTo(his);
    assertThat(admin.get("/api/admin/users/999999/runs").status()).isEqualTo(404);
    assertThat(new ApiClient(admin.baseUrl(), frank.getString("api_key"))
        .get("/api/admin/users/" + frank.getLong("id") + "/runs").status()).isEqualTo(403);
  }

  /** Opens a live stream with the key on the given gateway; the future completes when the server ends it. */
  private static io.vertx.core.Future<Void> stream(String baseUrl, String key) {
    var uri = java.net.URI.create(baseUrl);
    var options = new io.vertx.core.http.RequestOptions().setHost(uri.getHost()).setPort(uri.getPort())
        .setURI("/api/events").putHeader("X-Api-Key", key);
    var response = Waits.await(fixture.vertx.createHttpClient().request(options).compose(r -> r.send()));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.end();
  }

  @Test
  @DisplayName("revoking a key or deleting a user closes their open live streams on every gateway, and only theirs")
  void revocationClosesStreams() {
    var hal = createUser("hal", "user");
    var halKey = hal.getString("api_key");
    var halApi = new ApiClient(admin.baseUrl(), halKey);
    var spare = halApi.post("/api/me/keys", null).json();
    var revokedStream = stream(otherGateway.baseUrl(), halKey);
    var spareStream = stream(otherGateway.baseUrl(), spare.getString("api_key"));
    var adminStream = stream(otherGateway.baseUrl(), GatewayFixture.ADMIN_KEY);
    var halKeyId = halApi.get("/api/me/keys").json().getJsonArray("keys").getJsonObject(0).getLong("id");

    assertThat(halApi.withKey(spare.getString("api_key")).call("DELETE", "/api/me/keys/" + halKeyId, null).status())
        .isEqualTo(200);
    Waits.await(revokedStream);
    assertThat(spareStream.isComplete()).as("the user's other key keeps its stream").isFalse();

    assertThat(admin.call("DELETE", "/api/admin/users/" + hal.getLong("id"), null).status()).isEqualTo(200);
    Waits.await(spareStream);
    assertThat(adminStream.isComplete()).as("other users' streams stay open").isFalse();
  }
}
