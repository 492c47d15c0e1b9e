package io.castbus.downloads;

import static io.castbus.downloads.MediaServer.Media;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.RunTypes;
import io.castbus.common.config.ConfigException;
import io.castbus.common.config.Settings;
import io.castbus.testkit.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media-server scans against loopback fakes of Plex, Jellyfin and Audiobookshelf that check what each server's
 * documentation asks for (method, path, token header) and answer as those servers do. The enclosures come from
 * {@code localhost} (listed in ALLOWED_PRIVATE_HOSTS); the media servers from {@code 127.0.0.1}, allowed only
 * because they are configured as media servers.
 */
@DisplayName("notify_media_servers: one scan per server for a burst of downloads, as Plex, Jellyfin and Audiobookshelf document it")
class MediaServerScanTest {

  record Call(String method, String path, String plexToken, String embyToken, String authorization) {
  }

  @TempDir
  static Path temp;
  static MediaServer media;
  static Vertx fakes;
  static HttpServer servers;
  static final List<Call> calls = new CopyOnWriteArrayList<>();
  static volatile int jellyfinStatus = 204;
  static DownloadsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    media = new MediaServer();
    fakes = Vertx.vertx();
    servers = Waits.await(fakes.createHttpServer().requestHandler(req -> {
      calls.add(new Call(req.method().name(), req.path(), req.getHeader("X-Plex-Token"),
          req.getHeader("X-Emby-Token"), req.getHeader("Authorization")));
      var path = req.path();
      if (path.startsWith("/plex/")) {
        var ok = req.method().name().equals("GET") && path.equals("/plex/library/sections/3/refresh")
            && "plex-secret-token".equals(req.getHeader("X-Plex-Token"));
        req.response().setStatusCode(ok ? 200 : 401).end();
      } else if (path.startsWith("/jellyfin/")) {
        var ok = req.method().name().equals("POST") && path.equals("/jellyfin/Library/Refresh")
            && "jellyfin-secret-key".equals(req.getHeader("X-Emby-Token"));
        req.response().setStatusCode(ok ? jellyfinStatus : 401).end();
      } else if (path.startsWith("/abs/")) {
        var ok = req.method().name().equals("POST") && path.equals("/abs/api/libraries/lib_podcasts/scan")
            && "Bearer abs-secret-token".equals(req.getHeader("Authorization"));
        req.response().setStatusCode(ok ? 200 : 401).end(ok ? "OK" : "Unauthorized");
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    var base = "http://127.0.0.1:" + servers.actualPort();
    fx = new DownloadsFixture("media_scans", Files.createDirectories(temp.resolve("downloads")), DownloadsFixture.LIMITS,
        DownloadsFixture.WORKER, Map.ofEntries(Map.entry("ALLOW_PRIVATE_NETWORKS", "false"),
            Map.entry("ALLOWED_PRIVATE_HOSTS", "localhost"), Map.entry("MEDIA_SCAN_QUIET", "2"),
            Map.entry("PLEX_URL", base + "/plex"), Map.entry("PLEX_TOKEN", "plex-secret-token"),
            Map.entry("PLEX_SECTION_ID", "3"), Map.entry("JELLYFIN_URL", base + "/jellyfin/"),
            Map.entry("JELLYFIN_API_KEY", "jellyfin-secret-key"), Map.entry("AUDIOBOOKSHELF_URL", base + "/abs"),
            Map.entry("AUDIOBOOKSHELF_TOKEN", "abs-secret-token"),
            Map.entry("AUDIOBOOKSHELF_LIBRARY_ID", "lib_podcasts")));
  }

  @AfterAll
  static void stop() {
    fx.close();
    media.close();
    Waits.await(fakes.close());
  }

  private static List<JsonObject> scans() {
    return fx.rows("select id from runs where type = $1 order by created_at", RunTypes.NOTIFY_MEDIA_SERVERS).stream()
        .map(r -> Waits.await(fx.queue.get(r.getUUID(0))).orElseThrow()).toList();
  }

  @Test
  @DisplayName("a burst of five downloads queues one scan, after the quiet period; each server is called once, exactly as it documents")
  void burstMakesOneScan() {
    var podcast = fx.podcast("Burst");
    var runs = new ArrayList<UUID>();
    for (var i = 0; i < 5; i++) {
      var path = "/" + UUID.randomUUID() + "/ep.mp3";
      media.serve(path, Media.file(MediaServer.bytes(50_000, i)));
      var episode = fx.episode(podcast, "Burst " + i, "2026-11-2" + i, "http://localhost:" + media.port() + path);
      runs.add(fx.download(episode));
    }
    for (var run : runs) {
      assertThat(fx.finished(run).getString("status")).isEqualTo("completed");
    }
    var queued = scans();
    assertThat(queued).hasSize(1);
    var scan = fx.finished(UUID.fromString(queued.get(0).getString("id")));

    assertThat(scan.getString("status")).as(scan.encode()).isEqualTo("completed");
    assertThat(scan.getJsonObject("result").getJsonArray("notified").getList())
        .containsExactlyInAnyOrder("plex", "jellyfin", "audiobookshelf");
    assertThat(scans()).hasSize(1);
    assertThat(calls).containsExactlyInAnyOrder(
        new Call("GET", "/plex/library/sections/3/refresh", "plex-secret-token", null, null),
        new Call("POST", "/jellyfin/Library/Refresh", null, "jellyfin-secret-key", null),
        new Call("POST", "/abs/api/libraries/lib_podcasts/scan", null, null, "Bearer abs-secret-token"));
    var started = java.time.OffsetDateTime.parse(scan.getString("started_at"));
    var lastDownload = runs.stream().map(r -> java.time.OffsetDateTime.parse(
        Waits.await(fx.queue.get(r)).orElseThrow().getString("finished_at"))).max(java.util.Comparator.naturalOrder())
        .orElseThrow();
    assertThat(Duration.between(lastDownload, started)).as("the quiet period after the last download")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
  }

  @Test
  @DisplayName("a server that fails fails the run with its cause (retried like any run); no token appears in the run, its events or the settings' log line")
  void failureIsExplainedWithoutTokens() {
    jellyfinStatus = 503;
    calls.clear();
    try {
      var run = Waits.await(fx.queue.debounce(RunTypes.NOTIFY_MEDIA_SERVERS, new JsonObject(), Duration.ZERO));
      Waits.until(Duration.ofSeconds(30), "the first attempt failed", () -> {
        var r = Waits.await(fx.queue.get(run)).orElseThrow();
        return r.getInteger("attempts") >= 1 && r.getValue("error") != null;
      });
      var seen = Waits.await(fx.queue.get(run)).orElseThrow();
      var text = seen.encode() + String.join("\n", fx.events(run)) + fx.settings;
      assertThat(text).contains("jellyfin at http://127.0.0.1:").contains("503")
          .doesNotContain("plex-secret-token").doesNotContain("jellyfin-secret-key").doesNotContain("abs-secret-token");
      assertThat(calls).extracting(Call::path).contains("/plex/library/sections/3/refresh", "/jellyfin/Library/Refresh",
          "/abs/api/libraries/lib_podcasts/scan");
      Waits.await(fx.queue.requestCancel(run));
    } finally {
      jellyfinStatus = 204;
    }
  }

  @Test
  @DisplayName("the media servers' hosts are the only exception: the same address is refused for feeds and enclosures")
  void onlyConfiguredHostsExcepted() {
    var host = "http://127.0.0.1:" + servers.actualPort() + "/plex/library/sections/3/refresh";
    var refused = fx.settings.networkPolicy().check(fx.main.vertx, host);
    Waits.until(Duration.ofSeconds(5), "the check answered", refused::isComplete);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause().getMessage()).contains("a loopback address");
    assertThat(Waits.await(fx.settings.mediaServerPolicy().check(fx.main.vertx, host)).address().isLoopbackAddress())
        .isTrue();
  }

  @Test
  @DisplayName("a media server configured without its token or library is refused at start-up, naming the setting")
  void incompleteSettingsRefused() {
    Assertions.assertThatThrownBy(() -> Settings.load(Map.of("PLEX_URL", "http://nas.home:32400",
        "PLEX_SECTION_ID", "1"), Settings.AuthMode.REQUIRED)).isInstanceOf(ConfigException.class)
        .hasMessage("PLEX_TOKEN must be set when PLEX_URL is");
    Assertions.assertThatThrownBy(() -> Settings.load(Map.of("AUDIOBOOKSHELF_URL", "http://abs.home",
        "AUDIOBOOKSHELF_TOKEN", "t"), Settings.AuthMode.REQUIRED)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AUDIOBOOKSHELF_LIBRARY_ID must be set");
    Assertions.assertThatThrownBy(() -> Settings.load(Map.of("JELLYFIN_URL", "ftp://x", "JELLYFIN_API_KEY", "k"),
        Settings.AuthMode.REQUIRED)).hasMessageStartingWith("JELLYFIN_URL must be an http or https URL");
  }
}
