package io.castbus.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Settings")
class SettingsTest {

  @Test
  @DisplayName("defaults match the spec")
  void defaults() {
    var s = Settings.load(Map.of(), Settings.AuthMode.LOCAL_OPEN);
    assertThat(s.httpPort()).isEqualTo(8000);
    assertThat(s.feedRefreshInterval()).isEqualTo(3600);
    assertThat(s.maxConcurrentDownloads()).isEqualTo(3);
    assertThat(s.autoCleanupEnabled()).isTrue();
    assertThat(s.cleanupInterval()).isEqualTo(86400);
    assertThat(s.jobExpiryDays()).isEqualTo(30);
    assertThat(s.databaseUrl()).isNull();
    assertThat(s.allowPrivateNetworks()).isFalse();
    assertThat(s.clusterPort()).isEqualTo(5701);
    assertThat(s.authMode()).isEqualTo(Settings.AuthMode.LOCAL_OPEN);
    assertThat(s.dataDir()).isEqualTo(Path.of("./data").toAbsolutePath().normalize());
  }

  @Test
  @DisplayName("a bad value stops start-up with a message naming the setting")
  void badValues() {
    assertThatThrownBy(() -> Settings.load(Map.of("HTTP_PORT", "eighty"), Settings.AuthMode.REQUIRED))
        .isInstanceOf(ConfigException.class).hasMessage("HTTP_PORT must be a whole number, got 'eighty'");
    assertThatThrownBy(() -> Settings.load(Map.of("MAX_CONCURRENT_DOWNLOADS", "0"), Settings.AuthMode.REQUIRED))
        .hasMessageContaining("MAX_CONCURRENT_DOWNLOADS must be between 1 and");
    assertThatThrownBy(() -> Settings.load(Map.of("AUTO_CLEANUP_ENABLED", "maybe"), Settings.AuthMode.REQUIRED))
        .hasMessageContaining("AUTO_CLEANUP_ENABLED");
    assertThatThrownBy(() -> Settings.load(Map.of("TZ", "Mars/Base"), Settings.AuthMode.REQUIRED))
        .hasMessageContaining("TZ");
    assertThatThrownBy(() -> Settings.load(Map.of("AUTH_MODE", "open"), Settings.AuthMode.REQUIRED))
        .hasMessageContaining("AUTH_MODE");
    assertThatThrownBy(() -> Settings.load(Map.of("DATABASE_URL", "mysql://x:secret@db/y"),
        Settings.AuthMode.REQUIRED)).hasMessageContaining("DATABASE_URL").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> Settings.load(Map.of("ALLOWED_PRIVATE_HOSTS", "nas.home, 10.0.0.0/40"),
        Settings.AuthMode.REQUIRED)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("ALLOWED_PRIVATE_HOSTS").hasMessageContaining("'10.0.0.0/40'");
  }

  @Test
  @DisplayName("ALLOWED_PRIVATE_HOSTS, from the environment or the YAML file, opens the hosts it lists")
  void allowedPrivateHosts(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    var fromEnv = Settings.load(Map.of("ALLOWED_PRIVATE_HOSTS", "nas.home,192.168.1.0/24"), Settings.AuthMode.REQUIRED);
    assertThat(fromEnv.allowedPrivateHosts().allows("nas.home", java.net.InetAddress.getByName("10.9.9.9"))).isTrue();
    assertThat(fromEnv.allowedPrivateHosts().allows("x", java.net.InetAddress.getByName("192.168.1.77"))).isTrue();
    assertThat(fromEnv.allowedPrivateHosts().allows("x", java.net.InetAddress.getByName("192.168.2.77"))).isFalse();
    var file = dir.resolve("castbus.yaml");
    java.nio.file.Files.writeString(file, "ALLOWED_PRIVATE_HOSTS: feeds.lan\n");
    var fromFile = Settings.load(Map.of("CONFIG_FILE", file.toString()), Settings.AuthMode.REQUIRED);
    assertThat(fromFile.allowedPrivateHosts().names()).containsExactly("feeds.lan");
    assertThat(Settings.load(Map.of(), Settings.AuthMode.REQUIRED).allowedPrivateHosts().isEmpty()).isTrue();
  }

  @Test
  @DisplayName("a YAML file named by CONFIG_FILE sets the same keys; the environment wins over it")
  void yamlFile(@TempDir Path dir) throws Exception {
    var file = dir.resolve("castbus.yaml");
    Files.writeString(file, """
        http_port: 9000
        MAX_CONCURRENT_DOWNLOADS: 5
        CLUSTER_MEMBERS: [10.0.0.1:5701, 10.0.0.2:5701]
        """);
    var s = Settings.load(Map.of("CONFIG_FILE", file.toString(), "HTTP_PORT", "9100"), Settings.AuthMode.REQUIRED);
    assertThat(s.httpPort()).isEqualTo(9100);
    assertThat(s.maxConcurrentDownloads()).isEqualTo(5);
    assertThat(s.clusterMembers()).isEqualTo(List.of("10.0.0.1:5701", "10.0.0.2:5701"));
  }

  @Test
  @DisplayName("an unknown key in the YAML file is refused by name")
  void unknownYamlKey(@TempDir Path dir) throws Exception {
    var file = dir.resolve("castbus.yaml");
    Files.writeString(file, "HTTP_PROT: 9000\n");
    assertThatThrownBy(() -> Settings.load(Map.of("CONFIG_FILE", file.toString()), Settings.AuthMode.REQUIRED))
        .hasMessageContaining("HTTP_PROT");
  }

  @Test
  @DisplayName("secrets never appear in the settings' text")
  void redacted(@TempDir Path dir) throws Exception {
    var keystore = Files.writeString(dir.resolve("member.p12"), "not really a keystore");
    var s = Settings.load(Map.of("DATABASE_URL", "postgresql://castbus:hunter2@db:5432/castbus",
        "ADMIN_API_KEY", "cb_topsecret", "SMTP_PASSWORD", "mailpass", "CLUSTER_SECRET", "cluster-secret-0123456789",
        "CLUSTER_TLS_KEYSTORE", keystore.toString(), "CLUSTER_TLS_PASSWORD", "storepass"),
        Settings.AuthMode.REQUIRED);
    assertThat(s.toString()).doesNotContain("hunter2", "cb_topsecret", "mailpass", "cluster-secret", "storepass")
        .contains("castbus:***@db", keystore.toString());
  }

  @Test
  @DisplayName("the cluster secret has a minimum length; a TLS keystore must exist and needs its password")
  void clusterSecurity(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> Settings.load(Map.of("CLUSTER_SECRET", "short"), Settings.AuthMode.REQUIRED))
        .hasMessage("CLUSTER_SECRET must be at least 16 characters long");
    var keystore = Files.writeString(dir.resolve("member.p12"), "bytes").toString();
    assertThatThrownBy(() -> Settings.load(Map.of("CLUSTER_TLS_KEYSTORE", keystore), Settings.AuthMode.REQUIRED))
        .hasMessage("CLUSTER_TLS_PASSWORD must be set when CLUSTER_TLS_KEYSTORE is");
    assertThatThrownBy(() -> Settings.load(Map.of("CLUSTER_TLS_KEYSTORE", dir.resolve("missing.p12").toString(),
        "CLUSTER_TLS_PASSWORD", "x"), Settings.AuthMode.REQUIRED))
        .hasMessageStartingWith("CLUSTER_TLS_KEYSTORE must name a readable PKCS#12 keystore");
  }
}
