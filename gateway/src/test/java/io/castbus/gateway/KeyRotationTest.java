package io.castbus.gateway;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.common.launch.Process;
import io.castbus.testkit.ApiClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Admin key rotation and what a key's prefix shows")
class KeyRotationTest {

  private static final String ROTATED = "cb_rotated_admin_key_for_tests";

  @TempDir
  Path data;

  @Test
  @DisplayName("a gateway started with a new ADMIN_API_KEY revokes the previous configured key on every gateway at "
      + "once; keys a user made are untouched")
  void newAdminKeyReplacesTheOld() {
    try (var fixture = new GatewayFixture("rotation", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY))) {
      var old = fixture.api();
      assertThat(old.get("/api/jobs").status()).isEqualTo(200);
      var carol = old.post("/api/admin/users", "{\"name\": \"carol\", \"role\": \"user\"}").json().getString("api_key");

      var env = Map.of("HTTP_PORT", "0", "DATA_DIR", data.toString(), "ADMIN_API_KEY", ROTATED);
      var restarted = new GatewayVerticle(new Process(fixture.vertx, Settings.load(env, Settings.AuthMode.REQUIRED),
          fixture.database, fixture.process.pool(), fixture.process.health()));
      Waits.await(fixture.vertx.deployVerticle(restarted));

      var second = new ApiClient("http://127.0.0.1:" + restarted.actualPort(), null);
      assertThat(old.get("/api/jobs").status()).as("the old key on the gateway that had it cached").isEqualTo(401);
      assertThat(second.withKey(GatewayFixture.ADMIN_KEY).get("/api/jobs").status()).isEqualTo(401);
      var rotated = old.withKey(ROTATED).get("/api/jobs");
      assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
      var onSecond = second.withKey(ROTATED).get("/api/jobs");
      assertThat(onSecond.status()).as(onSecond.toString()).isEqualTo(200);
      assertThat(second.withKey(carol).get("/api/me/keys").status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a generated key shows 4 characters ('cb_' and one more), a chosen key none")
  void prefixesRevealLittle() {
    try (var fixture = new GatewayFixture("prefixes", data, Map.of("ADMIN_API_KEY", GatewayFixture.ADMIN_KEY))) {
      var admin = fixture.api();
      var made = admin.post("/api/me/keys", "{}").json();
      assertThat(made.getString("prefix")).hasSize(4).isEqualTo(made.getString("api_key").substring(0, 4));
      var keys = admin.get("/api/me/keys").json().getJsonArray("keys");
      assertThat(keys.stream().map(k -> ((JsonObject) k).getString("prefix"))).containsExactlyInAnyOrder("",
          made.getString("prefix"));
    }
  }
}
