package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.feeds.FeedsVerticle;
import io.castbus.feeds.FetchOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many users on the same feeds: {@code users} users hold {@code subscriptions} subscriptions over {@code feeds}
 * distinct feeds served by a loopback server that counts its requests per feed. One full refresh cycle (a person's
 * {@code refresh_podcasts}: every feed) through the feeds module must fetch each feed exactly once however many
 * users follow it.
 */
final class SubscriptionsBench {

  record Result(int subscriptions, int feeds, long fetches, int minPerFeed, int maxPerFeed, double seconds) {
  }

  private SubscriptionsBench() {
  }

  static Result measure(ScratchDatabase db, int users, int subscriptions, int feeds) throws Exception {
    Migrations.migrate(db.database());
    var data = Files.createTempDirectory("castbus-bench-subscriptions");
    var settings = Settings.load(Map.of("ALLOW_PRIVATE_NETWORKS", "true", "DATA_DIR", data.toString(),
        "DOWNLOAD_DIR", data.resolve("library").toString()), Settings.AuthMode.REQUIRED);
    var vertx = ClusterSetup.local(settings);
    var hits = new ConcurrentHashMap<String, AtomicInteger>();
    try {
      var server = vertx.createHttpServer().requestHandler(req -> {
        hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
        var n = req.path().replaceAll("\\D", "");
        req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0"><channel><title>Feed %1$s</title>
            <item><guid>%1$s-1</guid><title>One</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="http://media.example/%1$s/1.mp3" type="audio/mpeg" length="1"/></item>
            <item><guid>%1$s-2</guid><title>Two</title><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="http://media.example/%1$s/2.mp3" type="audio/mpeg" length="1"/></item>
            </channel></rss>""".formatted(n));
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      var base = "http://127.0.0.1:" + server.actualPort();
      load(db, users, subscriptions, feeds, base);
      var pool = db.database().pool(vertx, "bench", 8);
      var process = new Process(vertx, settings, db.database(), pool, new Health(vertx, pool));
      Await.result(vertx.deployVerticle(new FeedsVerticle(process, FetchOptions.DEFAULTS,
          JobTypeOptions.DEFAULTS.concurrency(16))), Duration.ofSeconds(60));
      var queue = new RunQueue(vertx, pool);
      var start = System.nanoTime();
      var firing = Await.result(queue.enqueue(NewRun.of(FeedsVerticle.REFRESH_PODCASTS, new JsonObject())
          .owner("bench", null)), Duration.ofSeconds(30));
      awaitChildren(db, firing, feeds);
      var seconds = (System.nanoTime() - start) / 1e9;
      var fetches = hits.values().stream().mapToLong(AtomicInteger::get).sum();
      var min = hits.values().stream().mapToInt(AtomicInteger::get).min().orElse(0);
      var max = hits.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
      var count = db.count("select count(*) from subscriptions");
      return new Result((int) count, hits.size(), fetches, hits.size() == feeds ? min : 0, max, seconds);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** {@code feeds} feeds (each with its first subscription), then the other subscriptions spread over the users. */
  private static void load(ScratchDatabase db, int users, int subscriptions, int feeds, String base)
      throws SQLException {
    db.exec("insert into users (name, role) select 'user' || i, 'user' from generate_series(1, " + users + ") i");
    db.exec("""
        insert into podcasts (owner, owner_id, rss_url, auto_download)
        select u.name, u.id, '%s/feed/' || i || '.xml', false
          from generate_series(1, %d) i join users u on u.name = 'user' || (1 + (i - 1) %% %d)""".formatted(base, feeds,
        users));
    var perFeed = Math.max(1, subscriptions / feeds);
    db.exec("""
        insert into subscriptions (podcast_id, owner, owner_id, auto_download)
        select p.id, u.name, u.id, false
          from podcasts p
          cross join generate_series(1, %d) k
          join users u on u.name = 'user' || (1 + (p.id + k * 7) %% %d)
        on conflict do nothing""".formatted(perFeed - 1, users));
    db.exec("vacuum analyze");
  }

  private static void awaitChildren(ScratchDatabase db, java.util.UUID firing, int feeds) throws Exception {
    var deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
    while (true) {
      var ended = db.count("select count(*) from runs where parent_id = '" + firing
          + "' and status in ('completed', 'failed')");
      var total = db.count("select count(*) from runs where parent_id = '" + firing + "'");
      if (total == feeds && ended == feeds) {
        var failed = db.count("select count(*) from runs where parent_id = '" + firing + "' and status = 'failed'");
        if (failed > 0) {
          throw new IllegalStateException(failed + " refresh(es) failed");
        }
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the refresh cycle did not finish within 20 minutes (" + ended + " of "
            + total + ")");
      }
      Thread.sleep(200);
    }
  }


  static String line(Result r) {
    return String.format(Locale.ROOT, "subscriptions subscriptions=%d feeds=%d fetches=%d seconds=%.1f",
        r.subscriptions(), r.feeds(), r.fetches(), r.seconds());
  }
}
