package io.castbus.bench;

import io.castbus.cleanup.CleanupVerticle;
import io.castbus.common.Addresses;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Retention over real files, end to end: {@code podcasts × episodes} downloaded episodes with a small file each,
 * {@code keep} kept per podcast; one {@code cleanup_episodes} run through the queue deletes the rest. Compared with
 * {@code find <copy> -type f -delete} on a copy of the same tree, made untimed, in the same run.
 */
final class CleanupBench {

  private CleanupBench() {
  }

  record Result(long deleted, double seconds, long findDeleted, double findSeconds, long left) {
    double perSecond() {
      return deleted / seconds;
    }

    double findPerSecond() {
      return findDeleted / findSeconds;
    }
  }

  static Result measure(ScratchDatabase db, int podcasts, int episodes, int keep) throws Exception {
    Migrations.migrate(db.database());
    var root = Files.createTempDirectory("castbus-bench-cleanup");
    try {
      var library = root.resolve("library");
      var copy = root.resolve("copy");
      var files = buildTree(library, podcasts, episodes);
      load(db, podcasts, episodes, keep);
      run("cp", "-a", library.toString(), copy.toString());
      System.out.printf(Locale.ROOT, "tree: %d files in %d folders (and a copy for find)%n", files, podcasts);

      // Both trees are flushed to disk before either is timed, so neither pays for the other's writeback.
      run("sync");
      var findStart = System.nanoTime();
      run("find", copy.toString(), "-type", "f", "-delete");
      var findSeconds = (System.nanoTime() - findStart) / 1e9;

      var settings = Settings.load(Map.of("DOWNLOAD_DIR", library.toString(), "DATA_DIR", root.toString()),
          Settings.AuthMode.REQUIRED);
      var vertx = ClusterSetup.local(settings);
      try {
        var pool = db.database().pool(vertx, "bench", 4);
        var process = new Process(vertx, settings, db.database(), pool, new Health(vertx, pool));
        vertx.deployVerticle(new CleanupVerticle(process)).await(60, TimeUnit.SECONDS);
        run("sync");
        var done = new CompletableFuture<Void>();
        var queue = new RunQueue(vertx, pool);
        var start = System.nanoTime();
        var id = queue.enqueue(NewRun.of(CleanupVerticle.CLEANUP_EPISODES, new JsonObject()))
            .await(60, TimeUnit.SECONDS).toString();
        vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_UPDATES, msg -> {
          var update = msg.body();
          if (id.equals(update.getString("run_id")) && !"running".equals(update.getString("status"))
              && !"queued".equals(update.getString("status"))) {
            done.complete(null);
          }
        });
        waitFor(done, queue, id);
        var seconds = (System.nanoTime() - start) / 1e9;
        var run = queue.get(java.util.UUID.fromString(id)).await(30, TimeUnit.SECONDS).orElseThrow();
        if (!"completed".equals(run.getString("status"))) {
          throw new IllegalStateException("the cleanup run did not complete: " + run.encode());
        }
        var deleted = run.getJsonObject("result").getLong("files_deleted");
        long left;
        try (var walk = Files.walk(library)) {
          left = walk.filter(Files::isRegularFile).count();
        }
        return new Result(deleted, seconds, files, findSeconds, left);
      } finally {
        io.vertx.core.Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      deleteTree(root);
    }
  }

  private static void waitFor(CompletableFuture<Void> done, RunQueue queue, String id) throws Exception {
    var uuid = java.util.UUID.fromString(id);
    while (!done.isDone()) {
      try {
        done.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        var status = queue.status(uuid).await(30, TimeUnit.SECONDS).orElse("");
        if (!status.equals("queued") && !status.equals("running")) {
          return;
        }
      }
    }
  }

  private static long buildTree(Path library, int podcasts, int episodes) throws IOException {
    var content = new byte[1024];
    for (var p = 0; p < podcasts; p++) {
      var folder = Files.createDirectories(library.resolve(String.format(Locale.ROOT, "podcast-%03d", p)));
      for (var e = 0; e < episodes; e++) {
        Files.write(folder.resolve(String.format(Locale.ROOT, "episode-%05d.mp3", e)), content);
      }
    }
    return (long) podcasts * episodes;
  }

  private static void load(ScratchDatabase db, int podcasts, int episodes, int keep) throws Exception {
    try (var conn = db.connect(); var st = conn.createStatement()) {
      st.execute("insert into podcasts (id, rss_url, title, folder, max_episodes_to_keep) "
          + "select p, 'http://feeds.example/' || p, 'Podcast ' || p, format('podcast-%s', lpad(p::text, 3, '0')), "
          + keep + " from generate_series(0, " + (podcasts - 1) + ") p");
      st.execute("insert into episodes (podcast_id, guid, title, published_at, download_status, file_path, bytes) "
          + "select p, 'e' || e, 'Episode ' || e, now() - make_interval(mins => e), 'completed', "
          + "format('podcast-%s/episode-%s.mp3', lpad(p::text, 3, '0'), lpad(e::text, 5, '0')), 1024 "
          + "from generate_series(0, " + (podcasts - 1) + ") p, generate_series(0, " + (episodes - 1) + ") e");
      st.execute("vacuum analyze episodes");
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).inheritIO().start();
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + process.exitValue());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (var path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
