package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@DisplayName("The self-hosting files (compose, systemd) say what Castbus reads")
class SelfHostingFilesTest {

  private static final Path DEPLOY = Path.of("..", "deploy");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose(String file) throws Exception {
    return (Map<String, Object>) new Yaml().load(Files.readString(DEPLOY.resolve(file)));
  }

  /** The {@code image.tag} property of the parent POM: the tag the images are built with. */
  private static String imageTag() {
    try {
      var pom = java.nio.file.Files.readString(java.nio.file.Path.of("..", "pom.xml"));
      var m = java.util.regex.Pattern.compile("<image.tag>([^<]+)</image.tag>").matcher(pom);
      assertThat(m.find()).as("image.tag in pom.xml").isTrue();
      return m.group(1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The castbus service of a compose file, checked against the settings and the image's layout. */
  private static Map<String, Object> castbus(Map<String, Object> compose) {
    var service = map(map(compose.get("services")).get("castbus"));
    assertThat((String) service.get("image")).as("the image Jib builds, by its release tag")
        .isEqualTo("castbus/app:" + imageTag());
    var env = map(service.get("environment"));
    assertThat(Settings.KEYS).as("every variable is a setting Castbus reads").containsAll(env.keySet());
    assertThat(env).containsEntry("DATA_DIR", "/data").containsEntry("DOWNLOAD_DIR", "/downloads");
    assertThat(env.get("HTTP_PORT")).isEqualTo("8000");
    assertThat((List<String>) (List<?>) service.get("ports")).containsExactly("8000:8000");
    var volumes = (List<String>) (List<?>) service.get("volumes");
    assertThat(volumes).anyMatch(v -> v.endsWith(":/data")).anyMatch(v -> v.endsWith(":/downloads"));
    for (var volume : volumes) {
      var source = volume.substring(0, volume.indexOf(':'));
      if (!source.startsWith(".") && !source.startsWith("/")) {
        assertThat(map(compose.get("volumes"))).as("named volume " + source + " declared").containsKey(source);
      }
    }
    assertThat(service.get("restart")).isEqualTo("unless-stopped");
    assertThat(service.get("stop_grace_period")).as("longer than the app's 10 s shutdown").isEqualTo("30s");
    return service;
  }

  @Test
  @DisplayName("compose.yaml: the all-in-one alone, its data in a named volume, downloads on the host")
  void allInOne() throws Exception {
    var compose = compose("compose.yaml");
    assertThat(map(compose.get("services")).keySet()).containsExactly("castbus");
    var service = castbus(compose);
    assertThat(map(service.get("environment"))).doesNotContainKey("DATABASE_URL");
    assertThat(map(service.get("healthcheck")).get("test").toString()).contains("/health/ready");
  }

  @Test
  @DisplayName("compose.postgres.yaml: the app waits for a healthy PostgreSQL and reaches it by its service name")
  void withPostgres() throws Exception {
    var compose = compose("compose.postgres.yaml");
    assertThat(map(compose.get("services")).keySet()).containsExactlyInAnyOrder("castbus", "postgres");
    var service = castbus(compose);
    assertThat(map(map(service.get("depends_on")).get("postgres"))).containsEntry("condition", "service_healthy");
    var url = (String) map(service.get("environment")).get("DATABASE_URL");
    assertThat(url).startsWith("postgresql://castbus:").contains("@postgres:5432/castbus");
    var postgres = map(map(compose.get("services")).get("postgres"));
    assertThat((String) postgres.get("image")).isEqualTo("postgres:16");
    assertThat(map(postgres.get("environment"))).containsEntry("POSTGRES_USER", "castbus")
        .containsEntry("POSTGRES_DB", "castbus");
  }

  @Test
  @DisplayName("castbus.service passes systemd-analyze verify and restarts on failure")
  void systemdUnit() throws Exception {
    var unit = DEPLOY.resolve("castbus.service");
    var text = Files.readString(unit);
    assertThat(text).contains("Restart=on-failure", "KillSignal=SIGTERM", "User=castbus",
        "ExecStart=/usr/bin/java ", "-jar /opt/castbus/castbus-app.jar");
    for (var line : text.lines().filter(l -> l.startsWith("Environment=")).toList()) {
      var key = line.substring("Environment=".length(), line.indexOf('=', "Environment=".length()));
      assertThat(Settings.KEYS).as(line).contains(key);
    }
    Process verify;
    try {
      verify = new ProcessBuilder("systemd-analyze", "verify", unit.toAbsolutePath().toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("systemd-analyze is not installed (Debian's systemd package has it)", e);
    }
    var output = new String(verify.getInputStream().readAllBytes());
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(verify.exitValue()).as(output).isZero();
    assertThat(output).as("no warnings").isBlank();
  }
}
