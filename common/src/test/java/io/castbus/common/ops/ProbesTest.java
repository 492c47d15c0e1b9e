package io.castbus.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Startup, liveness and readiness probes on HTTP_PORT")
class ProbesTest {

  private Vertx vertx;
  private WebClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private record Answer(int status, JsonObject body) {
  }

  private Answer get(int port, String path) throws Exception {
    var response = client.get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
    return new Answer(response.statusCode(), response.bodyAsJsonObject());
  }

  @Test
  @DisplayName("a worker process started by the launcher answers 200 on all three probes")
  void launchedProcess() throws Exception {
    try (var db = TestDatabase.create("probes")) {
      var port = ChildProcess.freePort();
      var settings = Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATABASE_URL", db.url()),
          Settings.AuthMode.REQUIRED);
      Launcher.start(vertx, "probes", false, settings, Database.of(db.url()), p -> List.of())
          .await(60, TimeUnit.SECONDS);
      assertThat(get(port, OpsRoutes.LIVE).status()).isEqualTo(200);
      assertThat(get(port, OpsRoutes.STARTED).status()).isEqualTo(200);
      var ready = get(port, OpsRoutes.READY);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body().getJsonObject("checks").fieldNames()).contains("cluster", "database", "migrations");
    }
  }

  @Test
  @DisplayName("database unreachable → not ready (503 naming it) but live; not started until the verticles are deployed")
  void unreachableDatabase() throws Exception {
    var deadPort = ChildProcess.freePort();
    var pool = Database.of("postgresql://castbus:x@127.0.0.1:" + deadPort + "/castbus").pool(vertx, "dead", 1);
    var health = new Health(vertx, pool);
    health.migrationsApplied();
    var server = new OpsServer(health, 0);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    var port = server.actualPort();

    var ready = get(port, OpsRoutes.READY);
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.body().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("down");
    assertThat(get(port, OpsRoutes.LIVE).status()).isEqualTo(200);
    assertThat(get(port, OpsRoutes.STARTED).status()).isEqualTo(503);
    health.verticlesDeployed();
    assertThat(get(port, OpsRoutes.STARTED).status()).isEqualTo(200);
  }
}
