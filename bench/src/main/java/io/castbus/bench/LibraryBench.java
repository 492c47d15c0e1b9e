package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.downloads.Tagger;
import io.castbus.feeds.FeedsVerticle;
import io.castbus.gateway.GatewayVerticle;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The library served back out: one {@code sizeMb} MB episode fetched by {@code clients} concurrent {@code curl}s
 * through the gateway's personal-feed media address (token lookup, library check over the event bus, zero-copy file
 * sending), against the same file served by nginx (Debian's package, {@code sendfile on}) on the same machine, in the
 * same run, alternating. Then the cost of tagging: seconds to tag a {@code tagMb} MB MP3 against copying it.
 */
final class LibraryBench {

  private static final String ADMIN_KEY = "cb_bench_library_admin_key";

  record Result(double gatewayMbPerSecond, double nginxMbPerSecond, double tagSeconds, double copySeconds) {
  }

  private LibraryBench() {
  }

  static Result measure(ScratchDatabase db, Path dir, int sizeMb, int clients, int rounds, int tagMb) throws Exception {
    Migrations.migrate(db.database());
    var root = Files.createTempDirectory(dir, "castbus-bench-library");
    var library = Files.createDirectories(root.resolve("downloads"));
    var file = library.resolve("Bench Radio/2026-11-24 - Big.mp3");
    Files.createDirectories(file.getParent());
    write(file, sizeMb);
    var settings = Settings.load(Map.of("HTTP_PORT", "0", "AUTH_MODE", "required", "DATA_DIR",
        root.resolve("data").toString(), "DOWNLOAD_DIR", library.toString(), "ADMIN_API_KEY", ADMIN_KEY,
        "RATE_LIMIT_PER_MINUTE", "0", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0"), Settings.AuthMode.REQUIRED);
    var vertx = ClusterSetup.local(settings);
    var nginx = (java.lang.Process) null;
    try {
      var pool = db.database().pool(vertx, "bench", 4);
      var health = new Health(vertx, pool);
      health.migrationsApplied();
      var process = new Process(vertx, settings, db.database(), pool, health);
      var gateway = new GatewayVerticle(process);
      Await.result(vertx.deployVerticle(new FeedsVerticle(process)), Duration.ofSeconds(60));
      Await.result(vertx.deployVerticle(gateway), Duration.ofSeconds(60));
      var base = "http://127.0.0.1:" + gateway.actualPort();
      var media = mediaUrl(db, base, file, library);
      var nginxPort = freePort();
      nginx = nginx(root, library, nginxPort);
      var nginxUrl = "http://127.0.0.1:" + nginxPort + "/" + encode(library.relativize(file).toString());
      var bytes = Files.size(file);
      check(media, bytes);
      check(nginxUrl, bytes);
      // Warm-up: one round each (the file in the page cache, the JIT warm).
      curl(media, clients);
      curl(nginxUrl, clients);
      var gatewaySeconds = 0.0;
      var nginxSeconds = 0.0;
      for (var round = 1; round <= rounds; round++) {
        var g = curl(media, clients);
        var n = curl(nginxUrl, clients);
        System.out.printf(Locale.ROOT, "round %d: gateway %.2f s (%.0f MB/s), nginx %.2f s (%.0f MB/s)%n", round, g,
            clients * bytes / 1e6 / g, n, clients * bytes / 1e6 / n);
        gatewaySeconds += g;
        nginxSeconds += n;
      }
      var mb = (double) rounds * clients * bytes / 1e6;
      var tagging = tagging(root, tagMb);
      return new Result(mb / gatewaySeconds, mb / nginxSeconds, tagging[0], tagging[1]);
    } finally {
      if (nginx != null) {
        nginx.destroy();
        nginx.waitFor();
      }
      Await.result(vertx.close(), Duration.ofSeconds(30));
      try (var walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@code sizeMb} MB of MPEG audio frames (silence), written once. */
  private static void write(Path file, int sizeMb) throws IOException {
    var frame = frame();
    var block = new byte[frame.length * 2048];
    for (var i = 0; i < 2048; i++) {
      System.arraycopy(frame, 0, block, i * frame.length, frame.length);
    }
    var total = (long) sizeMb * 1024 * 1024;
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < total; written += block.length) {
        out.write(block, 0, (int) Math.min(block.length, total - written));
      }
    }
  }

  /** One MPEG-1 Layer III frame, 128 kbit/s at 44.1 kHz, of silence: its header and zeros. */
  private static byte[] frame() {
    var frame = new byte[417];
    frame[0] = (byte) 0xFF;
    frame[1] = (byte) 0xFB;
    frame[2] = (byte) 0x90;
    frame[3] = (byte) 0x44;
    return frame;
  }

  /** A user, their podcast with the file as a downloaded episode, and the episode's media address from the API. */
  private static String mediaUrl(ScratchDatabase db, String base, Path file, Path library) throws Exception {
    var http = HttpClient.newHttpClient();
    var created = send(http, HttpRequest.newBuilder(URI.create(base + "/api/admin/users"))
        .header("X-Api-Key", ADMIN_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"listener\", \"role\": \"user\"}")).build());
    var key = created.getString("api_key");
    var userId = created.getLong("id");
    try (var conn = db.connect();
        var podcast = conn.prepareStatement("""
            with p as (insert into podcasts (owner, owner_id, rss_url, title, folder)
                       values ('listener', ?, 'https://bench.example/feed.xml', 'Bench Radio', 'Bench Radio')
                       returning id, owner, owner_id)
            insert into subscriptions (id, podcast_id, owner, owner_id) select id, id, owner, owner_id from p
            returning id""");
        var episode = conn.prepareStatement("""
            insert into episodes (podcast_id, guid, title, published_at, enclosure_type, download_status, file_path,
                                  bytes, downloaded_at)
            values (?, 'big', 'Big', now(), 'audio/mpeg', 'completed', ?, ?, now())""")) {
      podcast.setLong(1, userId);
      var rs = podcast.executeQuery();
      rs.next();
      episode.setLong(1, rs.getLong(1));
      episode.setString(2, library.relativize(file).toString());
      episode.setLong(3, Files.size(file));
      episode.executeUpdate();
      var podcastId = rs.getLong(1);
      var page = send(http, HttpRequest.newBuilder(URI.create(base + "/api/podcasts/" + podcastId + "/episodes"))
          .header("X-Api-Key", key).build());
      return page.getJsonArray("episodes").getJsonObject(0).getString("library_media_url");
    }
  }

  private static JsonObject send(HttpClient http, HttpRequest request) throws Exception {
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  private static java.lang.Process nginx(Path root, Path library, int port) throws Exception {
    var conf = root.resolve("nginx.conf");
    Files.writeString(conf, """
        daemon off;
        %s
        worker_processes auto;
        pid %s/nginx.pid;
        error_log %s/nginx-error.log;
        events { worker_connections 1024; }
        http {
          access_log off;
          sendfile on;
          tcp_nopush on;
          client_body_temp_path %s/nginx-body;
          proxy_temp_path %s/nginx-proxy;
          fastcgi_temp_path %s/nginx-fastcgi;
          uwsgi_temp_path %s/nginx-uwsgi;
          scgi_temp_path %s/nginx-scgi;
          types { audio/mpeg mp3; }
          server {
            listen 127.0.0.1:%d;
            root %s;
          }
        }
        """.formatted("root".equals(System.getProperty("user.name")) ? "user root;" : "", root, root, root, root,
        root, root, root, port, library));
    var nginx = new ProcessBuilder(nginxBinary(), "-c", conf.toString(), "-p", root.toString())
        .redirectErrorStream(true).redirectOutput(root.resolve("nginx.out").toFile()).start();
    var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (var probe = new java.net.Socket("127.0.0.1", port)) {
        return nginx;
      } catch (IOException notYet) {
        if (!nginx.isAlive()) {
          throw new IllegalStateException("nginx exited: " + Files.readString(root.resolve("nginx.out")));
        }
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nginx did not listen on port " + port);
  }

  private static String nginxBinary() {
    for (var candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("nginx is not installed (apt-get install nginx)");
  }

  /** The whole file, byte count checked, once. */
  private static void check(String url, long bytes) throws Exception {
    var out = new ProcessBuilder("curl", "-s", "-f", "-o", "/dev/null", "-w", "%{size_download}", url).start();
    var size = new String(out.getInputStream().readAllBytes()).trim();
    if (out.waitFor() != 0 || Long.parseLong(size) != bytes) {
      throw new IllegalStateException(url + " served " + size + " bytes, not " + bytes);
    }
  }

  /** Seconds for {@code clients} curls at once to fetch the whole URL each. */
  private static double curl(String url, int clients) throws Exception {
    var start = System.nanoTime();
    var running = new ArrayList<java.lang.Process>();
    for (var i = 0; i < clients; i++) {
      running.add(new ProcessBuilder("curl", "-s", "-f", "-o", "/dev/null", url).start());
    }
    for (var p : running) {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("curl " + url + " exited with " + p.exitValue());
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Seconds to tag a {@code mb} MB MP3 (the best of three), and to copy it (the best of three). */
  private static double[] tagging(Path root, int mb) throws Exception {
    var original = root.resolve("tag-source.mp3");
    write(original, mb);
    var tagBest = Double.MAX_VALUE;
    var copyBest = Double.MAX_VALUE;
    for (var i = 0; i < 3; i++) {
      var copy = root.resolve("copy-" + i + ".mp3");
      var start = System.nanoTime();
      Files.copy(original, copy, StandardCopyOption.REPLACE_EXISTING);
      copyBest = Math.min(copyBest, (System.nanoTime() - start) / 1e9);
      var tagged = root.resolve("tagged-" + i + ".mp3.part");
      Files.copy(original, tagged, StandardCopyOption.REPLACE_EXISTING);
      start = System.nanoTime();
      Tagger.tag(tagged, "mp3", new Tagger.Tags("Big", "Bench Radio", "Bench", Instant.now(), 1, 1,
          "<p>A long episode</p>", "big", "https://bench.example/feed.xml", null, null));
      tagBest = Math.min(tagBest, (System.nanoTime() - start) / 1e9);
      Files.delete(copy);
      Files.delete(tagged);
    }
    return new double[] {tagBest, copyBest};
  }

  private static String encode(String path) {
    var out = new StringBuilder();
    for (var segment : path.split("/")) {
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String line(Result r) {
    return String.format(Locale.ROOT, "library_serve gateway_mb_per_s=%.0f nginx_mb_per_s=%.0f ratio=%.2f",
        r.gatewayMbPerSecond(), r.nginxMbPerSecond(), r.gatewayMbPerSecond() / r.nginxMbPerSecond());
  }
}
