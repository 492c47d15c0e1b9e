package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The all-in-one app: seed 000's daily cleanup keeps the newest N per podcast and reports space freed")
class CleanupWalkthroughTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path data;

  @Test
  @DisplayName("a dry run lists what would go; the cleanup then leaves exactly max_episodes_to_keep files per podcast")
  void cleanupKeepsNewest() throws Exception {
    var downloads = data.resolve("downloads");
    try (var db = TestDatabase.create("app_cleanup")) {
      var port = ChildProcess.freePort();
      var settings = Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
          "DOWNLOAD_DIR", downloads.toString(), "DATABASE_URL", db.url()), Settings.AuthMode.LOCAL_OPEN);
      try (var app = CastbusApp.start(settings)) {
        var api = new ApiClient("http://127.0.0.1:" + port, null);
        library(db, downloads, "Daily News", 2, 6);
        library(db, downloads, "Weekly Talk", 3, 4);

        var dry = api.call("POST", "/api/jobs/cleanup_episodes/trigger", "{\"dry_run\": true}");
        assertThat(dry.status()).as(dry.toString()).isEqualTo(202);
        var dryResult = api.awaitRun(dry.json().getString("run_id"), "completed", WAIT).getJsonObject("result");
        assertThat(dryResult.getInteger("files_to_delete")).isEqualTo(5);
        assertThat(files(downloads)).as("a dry run deletes nothing").hasSize(10);

        var real = api.post("/api/jobs/cleanup_episodes/trigger", null);
        var run = api.awaitRun(real.json().getString("run_id"), "completed", WAIT);
        var result = run.getJsonObject("result");
        assertThat(result.getInteger("files_deleted")).isEqualTo(5);
        assertThat(result.getLong("bytes_freed")).isEqualTo(5L * 4096);
        assertThat(files(downloads)).containsExactlyInAnyOrder(
            "Daily News/episode-0.mp3", "Daily News/episode-1.mp3",
            "Weekly Talk/episode-0.mp3", "Weekly Talk/episode-1.mp3", "Weekly Talk/episode-2.mp3");
        var events = api.get("/api/runs/" + run.getString("id") + "/events").json().getJsonArray("events");
        assertThat(events.stream().map(e -> ((io.vertx.core.json.JsonObject) e).getString("message")))
            .anyMatch(m -> m.contains("deleted 4 file(s) of 'Daily News'"));
      }
    }
  }

  /** A podcast keeping {@code keep} with {@code count} downloaded episodes, episode-0 the newest, 4 KiB each. */
  private static void library(TestDatabase db, Path downloads, String title, int keep, int count) throws Exception {
    var folder = Files.createDirectories(downloads.resolve(title));
    for (var i = 0; i < count; i++) {
      Files.write(folder.resolve("episode-" + i + ".mp3"), new byte[4096]);
    }
    db.execute("""
        with p as (insert into podcasts (rss_url, title, folder, max_episodes_to_keep)
                   values ('http://feeds.example/%1$s', '%1$s', '%1$s', %2$d) returning id)
        insert into episodes (podcast_id, guid, title, published_at, download_status, file_path, bytes)
        select p.id, 'g' || i, 'Episode ' || i, now() - make_interval(days => i), 'completed',
               '%1$s/episode-' || i || '.mp3', 4096
          from p, generate_series(0, %3$d - 1) i""".formatted(title, keep, count));
  }

  private static java.util.List<String> files(Path downloads) throws Exception {
    try (Stream<Path> walk = Files.walk(downloads)) {
      return walk.filter(Files::isRegularFile).map(p -> downloads.relativize(p).toString()).sorted().toList();
    }
  }
}
