package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.gateway.auth.ApiKeys;
import io.castbus.testkit.ApiClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("API keys are stored as HMACs under a server-side pepper; keys stored as plain SHA-256 keep working")
class KeyHashingTest {

  @TempDir
  static Path data;
  static GatewayFixture fixture;
  static ApiClient admin;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture("gateway_key_hashing", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY));
    admin = fixture.api();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static List<Row> rows(String sql, Object... params) {
    var out = new ArrayList<Row>();
    Waits.await(fixture.process.pool().preparedQuery(sql).execute(Tuple.from(params))).forEach(out::add);
    return out;
  }

  /** A second gateway on the same database: a fresh key cache, and a fresh admin bootstrap. */
  private static ApiClient freshGateway(String key) {
    var other = new GatewayVerticle(fixture.process);
    Waits.await(fixture.vertx.deployVerticle(other));
    return new ApiClient("http://127.0.0.1:" + other.actualPort(), key);
  }

  @Test
  @DisplayName("a new key's stored hash is neither the key nor its SHA-256; the pepper is 32 random bytes")
  void keyedHash() {
    var made = admin.post("/api/admin/users", new JsonObject().put("name", "hana").put("role", "user").encode());
    assertThat(made.status()).isEqualTo(201);
    var key = made.json().getString("api_key");
    var stored = rows("select k.hash, k.scheme from api_keys k join users u on u.id = k.user_id where u.name = 'hana'");
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getString("scheme")).isEqualTo("hmac-sha256");
    assertThat(stored.get(0).getString("hash")).hasSize(64).isNotEqualTo(ApiKeys.sha256(key)).doesNotContain(key);
    var pepper = rows("select value from auth_secrets where name = 'key_pepper'");
    assertThat(pepper.get(0).getBuffer("value").length()).isEqualTo(32);

    assertThat(admin.withKey(key).get("/api/me/keys").status()).isEqualTo(200);
    var wrong = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");
    assertThat(admin.withKey(wrong).get("/api/me/keys").status()).as("one character off").isEqualTo(401);
  }

  @Test
  @DisplayName("a key stored as plain SHA-256 still works, and is rewritten as an HMAC on first use")
  void legacyKeyUpgradedOnUse() {
    var user = rows("insert into users (name, role) values ('ivo', 'user') returning id").get(0).getLong("id");
    var key = "cb_legacy_key_of_ivo_0123456789";
    rows("insert into api_keys (user_id, prefix, hash, scheme) values ($1, $2, $3, 'sha256')", user,
        ApiKeys.prefix(key), ApiKeys.sha256(key));

    assertThat(admin.withKey(key).get("/api/me/keys").status()).isEqualTo(200);
    var stored = rows("select hash, scheme from api_keys where user_id = $1", user).get(0);
    assertThat(stored.getString("scheme")).isEqualTo("hmac-sha256");
    assertThat(stored.getString("hash")).isNotEqualTo(ApiKeys.sha256(key));
    assertThat(freshGateway(key).get("/api/me/keys").status()).as("found by its new hash").isEqualTo(200);
  }

  @Test
  @DisplayName("the configured admin key stored as plain SHA-256 by an older version is rewritten at start-up")
  void bootstrapRewritesAdminKey() {
    rows("update api_keys set hash = $1, scheme = 'sha256' where configured", ApiKeys.sha256(GatewayFixture.ADMIN_KEY));
    var other = freshGateway(GatewayFixture.ADMIN_KEY);
    var adminKeys = rows("select k.hash, k.scheme from api_keys k join users u on u.id = k.user_id "
        + "where u.name = 'admin'");
    assertThat(adminKeys).hasSize(1);
    assertThat(adminKeys.get(0).getString("scheme")).isEqualTo("hmac-sha256");
    assertThat(other.get("/api/admin/users").status()).isEqualTo(200);
  }
}
