package io.castbus.downloads;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Enclosures on private networks are refused unless ALLOW_PRIVATE_NETWORKS is true")
class PrivateNetworkTest {

  @TempDir
  Path temp;

  @Test
  @DisplayName("a loopback enclosure fails at once naming the policy; the server is never asked; no file is left")
  void loopbackRefused() throws Exception {
    var library = Files.createDirectories(temp.resolve("downloads"));
    var server = new MediaServer();
    try (var fx = new DownloadsFixture("downloads_ssrf", library, DownloadsFixture.LIMITS, DownloadsFixture.WORKER,
        false)) {
      server.serve("/secret.mp3", MediaServer.Media.file(MediaServer.bytes(10_000, 9)));
      var episode = fx.episode(fx.podcast("Inside"), "Internal", "2026-11-20", server.url("/secret.mp3"));

      var run = fx.finished(fx.download(episode));

      assertThat(run.getString("status")).isEqualTo("failed");
      assertThat(run.getJsonObject("error").getBoolean("permanent")).isTrue();
      assertThat(run.getJsonObject("error").getString("message")).contains("may not be fetched", "127.0.0.1");
      assertThat(fx.episodeRow(episode).getString("download_status")).isEqualTo("failed");
      assertThat(server.requests("/secret.mp3")).isEmpty();
      try (var files = Files.walk(library)) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    } finally {
      server.close();
    }
  }
}
