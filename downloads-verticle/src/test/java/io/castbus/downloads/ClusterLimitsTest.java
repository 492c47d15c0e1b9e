package io.castbus.downloads;

import io.castbus.testkit.Waits;
import static io.castbus.downloads.MediaServer.Media;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Limits across replicas: the cluster-wide cap, the per-host cap, and a killed replica's download resumed")
class ClusterLimitsTest {

  @TempDir
  Path temp;
  Path library;
  MediaServer server;
  DownloadsFixture fx;

  @BeforeEach
  void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    server = new MediaServer();
  }

  @AfterEach
  void stop() {
    fx.close();
    server.close();
  }

  @Test
  @DisplayName("two replicas never run more than MAX_CONCURRENT_DOWNLOADS (3) at once, nor 2 per host; waiting costs no attempt")
  void caps() throws Exception {
    fx = new DownloadsFixture("downloads_caps", library, DownloadsFixture.LIMITS);
    fx.replica(DownloadsFixture.LIMITS, DownloadsFixture.WORKER);
    var podcast = fx.podcast("Caps");
    var episodes = new ArrayList<Long>();
    var sums = new ArrayList<String>();
    for (var i = 0; i < 8; i++) {
      var data = MediaServer.bytes(160_000, 100 + i);
      var path = "/caps/" + i + ".mp3";
      server.serve(path, Media.file(data).slow(30));
      var url = i % 2 == 0 ? server.url(path) : server.urlOnSecond(path);
      episodes.add(fx.episode(podcast, "Episode " + i, "2026-11-0" + (1 + i), url));
      sums.add(MediaServer.sha256(data));
    }
    var runs = episodes.stream().map(fx::download).toList();

    for (var i = 0; i < runs.size(); i++) {
      var run = fx.finished(runs.get(i));
      assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
      assertThat(run.getInteger("attempts")).isEqualTo(1);
      var file = library.resolve(fx.episodeRow(episodes.get(i)).getString("file_path"));
      assertThat(MediaServer.sha256(Files.readAllBytes(file))).isEqualTo(sums.get(i));
    }
    assertThat(server.maxInFlight.get()).isBetween(2, 3);
    assertThat(server.maxInFlightByHost.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
  }

  @Test
  @DisplayName("a replica killed mid-file: another takes the run over after its lease and completes the partial with Range")
  void killedReplica() throws Exception {
    var finished = handOver("downloads_kill", true);
    assertThat(finished.getInteger("attempts")).isEqualTo(2);
  }

  @Test
  @DisplayName("a replica shutting down hands its download back at once, attempt not counted, and the next one resumes it")
  void gracefulShutdown() throws Exception {
    var finished = handOver("downloads_stop", false);
    assertThat(finished.getInteger("attempts")).isEqualTo(1);
  }

  private io.vertx.core.json.JsonObject handOver(String name, boolean kill) throws Exception {
    var worker = DownloadsFixture.WORKER.lease(java.time.Duration.ofSeconds(2));
    fx = new DownloadsFixture(name, library, DownloadsFixture.LIMITS, worker);
    var data = MediaServer.bytes(600_000, 7);
    var path = "/handover/" + UUID.randomUUID() + ".mp3";
    server.serve(path, Media.file(data).slow(60));
    var episode = fx.episode(fx.podcast("Handed"), "Interrupted", "2026-11-05", server.url(path));
    var run = fx.download(episode);
    var part = library.resolve("Handed/2026-11-05 - Interrupted.mp3.part");
    io.castbus.testkit.Waits.until(java.time.Duration.ofSeconds(20), "a partial of 100 KB",
        () -> Files.exists(part) && part.toFile().length() >= 100_000);

    if (kill) {
      fx.main.kill();
    } else {
      Waits.await(fx.main.vertx.undeploy(fx.main.downloads));
      assertThat(Waits.await(fx.queue.status(run))).contains("queued");
    }
    assertThat(Files.size(part)).isBetween(100_000L, 599_999L);
    server.serve(path, Media.file(data));
    var successor = fx.replica(DownloadsFixture.LIMITS, worker);
    fx.withQueueOf(successor);

    var finished = fx.finished(run);
    assertThat(finished.getString("status")).as(finished.encode()).isEqualTo("completed");
    var requests = server.requests(path);
    var resumedAt = requests.get(requests.size() - 1).range();
    assertThat(resumedAt).matches("bytes=\\d+-");
    assertThat(Long.parseLong(resumedAt.replaceAll("\\D", ""))).isGreaterThanOrEqualTo(100_000L);
    assertThat(finished.getJsonObject("result").getLong("resumed_from")).isGreaterThanOrEqualTo(100_000L);
    var file = library.resolve(fx.episodeRow(episode).getString("file_path"));
    assertThat(MediaServer.sha256(Files.readAllBytes(file))).isEqualTo(MediaServer.sha256(data));
    assertThat(part).doesNotExist();
    return finished;
  }

  @Test
  @DisplayName("a server that sends no validator: a replica killed mid-file, the next resumes it with a plain Range, "
      + "checked against the length first announced, and the file ends byte-exact")
  void resumeWithoutValidators() throws Exception {
    var data = MediaServer.bytes(600_000, 11);
    var run = killMidFile("downloads_no_validator", data, data);
    var finished = fx.finished(run);

    assertThat(finished.getString("status")).as(finished.encode()).isEqualTo("completed");
    var last = server.requests(path).get(server.requests(path).size() - 1);
    assertThat(last.range()).matches("bytes=\\d+-");
    assertThat(last.ifRange()).as("no validator to send").isNull();
    var resumedFrom = finished.getJsonObject("result").getLong("resumed_from");
    assertThat(resumedFrom).isGreaterThanOrEqualTo(100_000L).isEqualTo(Long.parseLong(last.range().replaceAll("\\D", "")));
    var file = library.resolve(fx.episodeRow(episode).getString("file_path"));
    assertThat(MediaServer.sha256(Files.readAllBytes(file))).isEqualTo(MediaServer.sha256(data));
    assertThat(resumeWays(run)).contains("range_by_length");
  }

  @Test
  @DisplayName("a server that sends no validator and whose file changed length meanwhile: the partial is not "
      + "continued but fetched again from byte 0, and the file is the new one")
  void validatorlessFileChanged() throws Exception {
    var before = MediaServer.bytes(600_000, 12);
    var after = MediaServer.bytes(650_000, 13);
    var run = killMidFile("downloads_changed", before, after);
    var finished = fx.finished(run);

    assertThat(finished.getString("status")).as(finished.encode()).isEqualTo("completed");
    assertThat(finished.getJsonObject("result").getLong("resumed_from")).isZero();
    var file = library.resolve(fx.episodeRow(episode).getString("file_path"));
    assertThat(MediaServer.sha256(Files.readAllBytes(file))).isEqualTo(MediaServer.sha256(after));
    assertThat(io.castbus.testkit.Waits.await(fx.queue.events(run, 0, 1000)).stream()
        .map(e -> ((io.vertx.core.json.JsonObject) e).getString("message")))
        .anySatisfy(m -> assertThat(m).contains("first announced 600000").contains("starting again"));
  }

  private String path;
  private long episode;

  /** Downloads {@code first} slowly from a validator-less server, kills the replica mid-file, serves {@code then}. */
  private UUID killMidFile(String name, byte[] first, byte[] then) throws Exception {
    var worker = DownloadsFixture.WORKER.lease(java.time.Duration.ofSeconds(2));
    fx = new DownloadsFixture(name, library, DownloadsFixture.LIMITS, worker);
    path = "/bare/" + UUID.randomUUID() + ".mp3";
    server.serve(path, Media.file(first).slow(60).noValidators());
    episode = fx.episode(fx.podcast("Bare"), "Interrupted", "2026-11-05", server.url(path));
    var run = fx.download(episode);
    var part = library.resolve("Bare/2026-11-05 - Interrupted.mp3.part");
    io.castbus.testkit.Waits.until(java.time.Duration.ofSeconds(20), "a partial of 100 KB",
        () -> Files.exists(part) && part.toFile().length() >= 100_000);
    fx.main.kill();
    server.serve(path, Media.file(then).noValidators());
    fx.withQueueOf(fx.replica(DownloadsFixture.LIMITS, worker));
    return run;
  }

  private java.util.List<String> resumeWays(UUID run) {
    return io.castbus.testkit.Waits.await(fx.queue.events(run, 0, 1000)).stream()
        .map(e -> ((io.vertx.core.json.JsonObject) e).getJsonObject("metadata"))
        .filter(m -> m != null && m.containsKey("resume")).map(m -> m.getString("resume")).toList();
  }

  @Test
  @DisplayName("the free-disk guard fails the download before the disk fills, with a clear message and no partial")
  void diskGuard() {
    fx = new DownloadsFixture("downloads_disk", library, DownloadsFixture.LIMITS.minFreeBytes(Long.MAX_VALUE / 2));
    var path = "/disk/full.mp3";
    server.serve(path, Media.file(MediaServer.bytes(50_000, 9)));
    var episode = fx.episode(fx.podcast("Full"), "No room", "2026-11-04", server.url(path));

    var run = fx.finished(fx.download(episode));

    assertThat(run.getString("status")).isEqualTo("failed");
    assertThat(run.getInteger("attempts")).isEqualTo(1);
    assertThat(run.getJsonObject("error").getString("code")).isEqualTo("disk_full");
    var row = fx.episodeRow(episode);
    assertThat(row.getString("download_status")).isEqualTo("failed");
    assertThat(row.getString("download_error")).startsWith("not enough free disk under DOWNLOAD_DIR")
        .contains("must stay free (DOWNLOAD_MIN_FREE_MB)");
    assertThat(library.resolve("Full")).isEmptyDirectory();
  }
}
