package io.castbus.downloads;

import static io.castbus.downloads.MediaServer.Media;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("download_episode against a real HTTP server on loopback: byte-exact files, resume, retries, limits")
class DownloadTest {

  @TempDir
  static Path temp;
  static Path library;
  static MediaServer server;
  static DownloadsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    server = new MediaServer();
    fx = new DownloadsFixture("downloads", library, DownloadsFixture.LIMITS);
  }

  @AfterAll
  static void stop() {
    fx.close();
    server.close();
  }

  private static byte[] content(int size, int seed) {
    return MediaServer.bytes(size, seed);
  }

  private static String sha256(Path file) throws Exception {
    return MediaServer.sha256(Files.readAllBytes(file));
  }

  private static String unique(String name) {
    return "/" + UUID.randomUUID() + "/" + name;
  }

  @Test
  @DisplayName("an episode lands byte-exact at <podcast>/<yyyy-MM-dd> - <title>.mp3, completed with its size and progress")
  void byteExact() throws Exception {
    var data = content(300_000, 1);
    var path = unique("episode-1.mp3");
    server.serve(path, Media.file(data));
    var podcast = fx.podcast("The Daily");
    var episode = fx.episode(podcast, "Monday: the news", "2026-11-23", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    var row = fx.episodeRow(episode);
    assertThat(row.getString("download_status")).isEqualTo("completed");
    assertThat(row.getString("file_path")).isEqualTo("The Daily/2026-11-23 - Monday the news.mp3");
    assertThat(row.getLong("bytes")).isEqualTo(300_000L);
    assertThat(row.getString("downloaded_at")).isNotNull();
    assertThat(row.getString("download_error")).isNull();
    var file = library.resolve(row.getString("file_path"));
    assertThat(sha256(file)).isEqualTo(MediaServer.sha256(data));
    assertThat(Path.of(file + ".part")).doesNotExist();
    assertThat(run.getJsonObject("progress").getLong("current")).isEqualTo(300_000L);
    assertThat(run.getJsonObject("progress").getLong("total")).isEqualTo(300_000L);
    assertThat(run.getJsonObject("result").getString("file_path")).isEqualTo(row.getString("file_path"));
    assertThat(fx.rows("select folder from podcasts where id = $1", podcast).get(0).getString(0))
        .isEqualTo("The Daily");
  }

  @Test
  @DisplayName("a connection dropped half-way is resumed with Range and If-Range; the file is byte-exact")
  void resumeAfterDrop() throws Exception {
    var data = content(400_000, 2);
    var path = unique("drop.mp3");
    server.serve(path, Media.file(data).dropFirst(1, 200_000));
    var episode = fx.episode(fx.podcast("Dropping"), "Half way", "2026-11-20", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getInteger("attempts")).isEqualTo(2);
    var requests = server.requests(path);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).range()).isNull();
    assertThat(requests.get(1).range()).matches("bytes=\\d+-");
    assertThat(Long.parseLong(requests.get(1).range().replaceAll("\\D", ""))).isPositive();
    assertThat(requests.get(1).ifRange()).startsWith("\"");
    assertThat(run.getJsonObject("result").getLong("resumed_from")).isPositive();
    assertThat(sha256(library.resolve(fx.episodeRow(episode).getString("file_path"))))
        .isEqualTo(MediaServer.sha256(data));
  }

  @Test
  @DisplayName("a server without Range support is asked to resume, answers 200, and the file restarts cleanly")
  void noRangeSupport() throws Exception {
    var data = content(300_000, 3);
    var path = unique("norange.mp3");
    server.serve(path, Media.file(data).noRanges().dropFirst(1, 150_000));
    var episode = fx.episode(fx.podcast("No ranges"), "Whole again", "2026-11-19", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(server.requests(path).get(1).range()).isNotNull();
    assertThat(run.getJsonObject("result").getLong("resumed_from")).isZero();
    var file = library.resolve(fx.episodeRow(episode).getString("file_path"));
    assertThat(Files.size(file)).isEqualTo(300_000L);
    assertThat(sha256(file)).isEqualTo(MediaServer.sha256(data));
  }

  @Test
  @DisplayName("a body shorter than its Content-Length never becomes a file: failed after 3 attempts, no partial left")
  void wrongContentLength() throws Exception {
    var path = unique("liar.mp3");
    server.serve(path, Media.file(content(100_000, 4)).noRanges().lie(5_000));
    var episode = fx.episode(fx.podcast("Liar"), "Too short", "2026-11-18", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).isEqualTo("failed");
    assertThat(run.getInteger("attempts")).isEqualTo(3);
    var row = fx.episodeRow(episode);
    assertThat(row.getString("download_status")).isEqualTo("failed");
    assertThat(row.getString("download_error")).contains("broke").contains("of 105000 bytes");
    assertThat(row.getString("file_path")).isNull();
    assertThat(filesUnder("Liar")).isEmpty();
  }

  @Test
  @DisplayName("a server that stalls is given up after the idle timeout, and the retry resumes to a byte-exact file")
  void stall() throws Exception {
    var data = content(200_000, 5);
    var path = unique("stall.mp3");
    server.serve(path, Media.file(data).stallFirst(1, 64 * 1024));
    var episode = fx.episode(fx.podcast("Stalling"), "Stuck", "2026-11-17", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getInteger("attempts")).isEqualTo(2);
    assertThat(fx.events(UUID.fromString(run.getString("id"))))
        .anySatisfy(m -> assertThat(m).contains("no data from the server for 1 s"));
    assertThat(server.requests(path).get(1).range()).isEqualTo("bytes=65536-");
    assertThat(sha256(library.resolve(fx.episodeRow(episode).getString("file_path"))))
        .isEqualTo(MediaServer.sha256(data));
  }

  @Test
  @DisplayName("redirects are followed hop by hop; a loop, or more than 5 hops, fails at once naming the cause")
  void redirects() {
    var data = content(50_000, 6);
    var base = unique("");
    server.serve(base + "final.mp3", Media.file(data));
    server.serve(base + "r1", Media.status(302, Map.of("Location", base + "r2")));
    server.serve(base + "r2", Media.status(301, Map.of("Location", server.url(base + "final.mp3"))));
    server.serve(base + "a", Media.status(302, Map.of("Location", base + "b")));
    server.serve(base + "b", Media.status(307, Map.of("Location", base + "a")));
    for (var i = 0; i < 7; i++) {
      server.serve(base + "chain" + i, Media.status(308, Map.of("Location", base + "chain" + (i + 1))));
    }
    var podcast = fx.podcast("Redirects");
    var good = fx.episode(podcast, "Followed", "2026-11-16", server.url(base + "r1"));
    var loop = fx.episode(podcast, "Looped", "2026-11-16", server.url(base + "a"));
    var chain = fx.episode(podcast, "Chained", "2026-11-16", server.url(base + "chain0"));

    var followed = fx.finished(fx.download(good));
    var looped = fx.finished(fx.download(loop));
    var chained = fx.finished(fx.download(chain));

    assertThat(followed.getString("status")).as(followed.encode()).isEqualTo("completed");
    assertThat(followed.getJsonObject("result").getString("url")).endsWith("final.mp3");
    assertThat(looped.getString("status")).isEqualTo("failed");
    assertThat(looped.getInteger("attempts")).isEqualTo(1);
    assertThat(looped.getJsonObject("error").getString("code")).isEqualTo("redirect_loop");
    assertThat(fx.episodeRow(loop).getString("download_error")).startsWith("redirect loop: ");
    assertThat(chained.getString("status")).isEqualTo("failed");
    assertThat(chained.getJsonObject("error").getString("code")).isEqualTo("too_many_redirects");
  }

  @Test
  @DisplayName("404, 410, 403, an HTML page where audio was announced and a non-http URL fail at once with the cause")
  void permanentErrors() {
    var base = unique("");
    server.serve(base + "gone", Media.status(410, Map.of()));
    server.serve(base + "forbidden", Media.status(403, Map.of()));
    server.serve(base + "page.mp3", Media.file("<html>sorry</html>".getBytes()).type("text/html; charset=utf-8"));
    var podcast = fx.podcast("Broken");
    var missing = fx.episode(podcast, "Missing", "2026-11-15", server.url(base + "missing"));
    var gone = fx.episode(podcast, "Gone", "2026-11-15", server.url(base + "gone"));
    var forbidden = fx.episode(podcast, "Forbidden", "2026-11-15", server.url(base + "forbidden"));
    var html = fx.episode(podcast, "Html", "2026-11-15", server.url(base + "page.mp3"));
    var ftp = fx.episode(podcast, "Ftp", "2026-11-15", "ftp://files.example/episode.mp3");

    for (var episode : new long[] {missing, gone, forbidden, html, ftp}) {
      var run = fx.finished(fx.download(episode));
      assertThat(run.getString("status")).isEqualTo("failed");
      assertThat(run.getInteger("attempts")).isEqualTo(1);
      assertThat(run.getJsonObject("error").getBoolean("permanent")).isTrue();
      assertThat(fx.episodeRow(episode).getString("download_status")).isEqualTo("failed");
    }
    assertThat(fx.episodeRow(missing).getString("download_error")).startsWith("the server answered 404");
    assertThat(fx.episodeRow(gone).getString("download_error")).startsWith("the server answered 410");
    assertThat(fx.episodeRow(html).getString("download_error")).contains("HTML page");
    assertThat(fx.episodeRow(ftp).getString("download_error")).contains("no usable enclosure URL");
    assertThat(filesUnder("Broken")).isEmpty();
  }

  @Test
  @DisplayName("a 503 with Retry-After is retried no sooner than the server asked, then completes")
  void retryAfter() throws Exception {
    var data = content(30_000, 7);
    var path = unique("busy.mp3");
    server.serve(path, Media.file(data).statusFirst(1, 503, Map.of("Retry-After", "2")));
    var episode = fx.episode(fx.podcast("Busy"), "Later", "2026-11-14", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    var requests = server.requests(path);
    assertThat(requests).hasSize(2);
    assertThat(Duration.ofNanos(requests.get(1).atNanos() - requests.get(0).atNanos()))
        .as("the retry waited for Retry-After (2 s), not the 200 ms backoff").isGreaterThan(Duration.ofMillis(1900));
    assertThat(sha256(library.resolve(fx.episodeRow(episode).getString("file_path"))))
        .isEqualTo(MediaServer.sha256(data));
  }

  @Test
  @DisplayName("a file over the size cap fails at once, announced or not, and leaves no partial")
  void sizeCap() {
    var base = unique("");
    server.serve(base + "big.mp3", Media.file(content(1_100_000, 8)));
    server.serve(base + "endless.mp3", Media.file(content(1_100_000, 9)).chunkedBody());
    var podcast = fx.podcast("Huge");
    var announced = fx.episode(podcast, "Announced", "2026-11-13", server.url(base + "big.mp3"));
    var chunked = fx.episode(podcast, "Chunked", "2026-11-13", server.url(base + "endless.mp3"));

    var first = fx.finished(fx.download(announced));
    var second = fx.finished(fx.download(chunked));

    assertThat(first.getString("status")).isEqualTo("failed");
    assertThat(first.getJsonObject("error").getString("code")).isEqualTo("file_too_large");
    assertThat(fx.episodeRow(announced).getString("download_error")).contains("1.0 MiB allowed");
    assertThat(second.getString("status")).isEqualTo("failed");
    assertThat(second.getJsonObject("error").getString("code")).isEqualTo("file_too_large");
    assertThat(filesUnder("Huge")).isEmpty();
  }

  @Test
  @DisplayName("cancel stops a running transfer within a second and removes the partial file")
  void cancel() {
    var path = unique("slow.mp3");
    server.serve(path, Media.file(content(1_000_000, 10)).slow(100));
    var episode = fx.episode(fx.podcast("Slow"), "Cancelled", "2026-11-12", server.url(path));
    var run = fx.download(episode);
    Waits.until(Duration.ofSeconds(20), "bytes on disk", () -> partials("Slow").findAny().isPresent());

    var asked = System.nanoTime();
    Waits.await(fx.queue.requestCancel(run));
    Waits.until(Duration.ofSeconds(5), "partial removed", () -> partials("Slow").findAny().isEmpty());

    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(1));
    assertThat(fx.finished(run).getString("status")).isEqualTo("cancelled");
    Waits.until(Duration.ofSeconds(5), "episode no longer wanted",
        () -> fx.episodeRow(episode).getString("download_status").equals("none"));
    assertThat(filesUnder("Slow")).isEmpty();
  }

  @Test
  @DisplayName("hostile titles stay inside DOWNLOAD_DIR with safe names; same title and day get a unique name")
  void hostileTitles() throws Exception {
    var titles = new String[] {"../../etc/passwd", "CON", "a<b>c:d\"e/f\\g|h?i*j\u0007k", "x".repeat(1000),
        "🎙️ Émission spéciale 🎧".repeat(20), "  ...  ", "Same", "Same"};
    var podcast = fx.podcast("../Hostile/..");
    var ids = new long[titles.length];
    for (var i = 0; i < titles.length; i++) {
      var path = unique("h" + i + ".mp3");
      server.serve(path, Media.file(content(1_000 + i, 20 + i)));
      ids[i] = fx.episode(podcast, titles[i], "2026-11-11", server.url(path));
    }
    for (var id : ids) {
      assertThat(fx.finished(fx.download(id)).getString("status")).isEqualTo("completed");
    }
    var folder = fx.rows("select folder from podcasts where id = $1", podcast).get(0).getString(0);
    assertThat(folder).isEqualTo("Hostile");
    var names = new java.util.ArrayList<String>();
    for (var id : ids) {
      var stored = fx.episodeRow(id).getString("file_path");
      var file = library.resolve(stored).normalize();
      assertThat(file).startsWith(library).exists();
      assertThat(file.getParent()).isEqualTo(library.resolve(folder));
      var name = file.getFileName().toString();
      assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
      assertThat(name).doesNotContainPattern("[<>:\"/\\\\|?*\\p{Cntrl}]").doesNotEndWith(".").doesNotEndWith(" ");
      names.add(name);
    }
    assertThat(names.get(0)).isEqualTo("2026-11-11 - etc passwd.mp3");
    assertThat(names.get(1)).isEqualTo("2026-11-11 - _CON.mp3");
    assertThat(names.get(2)).isEqualTo("2026-11-11 - a b c d e f g h i j k.mp3");
    assertThat(names.get(4)).startsWith("2026-11-11 - 🎙️ Émission spéciale 🎧");
    assertThat(names.get(5)).isEqualTo("2026-11-11 - Episode.mp3");
    assertThat(names.get(6)).isEqualTo("2026-11-11 - Same.mp3");
    assertThat(names.get(7)).isEqualTo("2026-11-11 - Same (2).mp3");
    assertThat(temp.resolve("etc")).doesNotExist();
  }

  @Test
  @DisplayName("two podcasts with the same title get folders of their own")
  void uniqueFolders() {
    var path = unique("same.mp3");
    server.serve(path, Media.file(content(2_000, 30)));
    var first = fx.episode(fx.podcast("Twins"), "One", "2026-11-10", server.url(path));
    var second = fx.episode(fx.podcast("twins"), "One", "2026-11-10", server.url(path));
    fx.finished(fx.download(first));
    fx.finished(fx.download(second));
    assertThat(fx.episodeRow(first).getString("file_path")).isEqualTo("Twins/2026-11-10 - One.mp3");
    assertThat(fx.episodeRow(second).getString("file_path")).isEqualTo("twins (2)/2026-11-10 - One.mp3");
  }

  @Test
  @DisplayName("process_downloads queues one download per pending episode without one, never a second, never a cancelled one")
  void processDownloads() {
    var path = unique("queued.mp3");
    server.serve(path, Media.file(content(5_000, 31)));
    var podcast = fx.podcast("Sweep");
    var a = fx.episode(podcast, "A", "2026-11-09", server.url(path));
    var b = fx.episode(podcast, "B", "2026-11-09", server.url(path));
    var queuedAlready = fx.episode(podcast, "C", "2026-11-09", server.url(path));
    fx.rows("update episodes set download_status = 'none' where id = $1", b);
    var existing = fx.download(queuedAlready);
    var cancelled = fx.episode(podcast, "D", "2026-11-09", server.url(path));
    var cancelledRun = Waits.await(fx.queue.enqueue(io.castbus.common.RunTypes.download(cancelled)
        .notBefore(java.time.Instant.now().plusSeconds(3600))));
    Waits.await(fx.queue.requestCancel(cancelledRun));

    var run = fx.finished(Waits.await(fx.queue.enqueue(
        io.castbus.common.queue.NewRun.of(DownloadsVerticle.PROCESS_DOWNLOADS, new JsonObject()))));

    assertThat(run.getString("status")).isEqualTo("completed");
    var runs = fx.rows("select id, owner from runs where type = 'download_episode' and payload ->> 'episode_id' = $1",
        String.valueOf(a));
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).getString("owner")).isEqualTo("alice");
    assertThat(fx.rows("select count(*) from runs where type = 'download_episode' and payload ->> 'episode_id' = $1",
        String.valueOf(b)).get(0).getLong(0)).isZero();
    assertThat(fx.rows("select count(*) from runs where type = 'download_episode' and payload ->> 'episode_id' = $1",
        String.valueOf(queuedAlready)).get(0).getLong(0)).isEqualTo(1L);
    assertThat(fx.rows("select count(*) from runs where type = 'download_episode' and payload ->> 'episode_id' = $1",
        String.valueOf(cancelled)).get(0).getLong(0)).as("a cancelled download is not queued again").isEqualTo(1L);
    fx.finished(existing);
    Waits.until(Duration.ofSeconds(20), "A downloaded", () -> fx.episodeRow(a).getString("download_status")
        .equals("completed"));
    assertThat(fx.rows("select run_type from jobs where id = 'process_downloads'").get(0).getString(0))
        .isEqualTo("process_downloads");
  }

  private static java.util.List<Path> filesUnder(String folder) {
    var dir = library.resolve(folder);
    if (!Files.exists(dir)) {
      return java.util.List.of();
    }
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Stream<Path> partials(String folder) {
    return filesUnder(folder).stream().filter(p -> p.toString().endsWith(".part"));
  }
}
