package io.castbus.bench;

import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import io.castbus.common.Addresses;
import io.castbus.common.RunTypes;
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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feed refresh end to end: P podcasts of I items each, served by a loopback HTTP server, refreshed by one
 * {@code refresh_feed} run each through the queue (fetch, parse, upsert, queue downloads). Timed rounds: every feed
 * changed (one new item), then every feed unchanged (304). The floor is ROME parsing the same bytes in one thread.
 */
final class FeedsBench {

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  record Result(double changedPerSecond, double floorPerSecond, double notModifiedPerSecond, double firstPerSecond,
      long heapPeakMb, int bigItems) {
  }

  private FeedsBench() {
  }

  static Result measure(ScratchDatabase db, int podcasts, int items, int concurrency, int bigItems) throws Exception {
    Migrations.migrate(db.database());
    var version = new AtomicInteger(1);
    var settings = Settings.load(Map.of("ALLOW_PRIVATE_NETWORKS", "true", "DATA_DIR",
        java.nio.file.Files.createTempDirectory("castbus-bench-feeds").toString()), Settings.AuthMode.REQUIRED);
    var vertx = ClusterSetup.local(settings);
    try {
      var server = server(vertx, items, version, bigItems);
      var base = "http://127.0.0.1:" + server.actualPort();
      load(db, podcasts, base);
      var pool = db.database().pool(vertx, "bench", 8);
      var process = new Process(vertx, settings, db.database(), pool, new Health(vertx, pool));
      Await.result(vertx.deployVerticle(new FeedsVerticle(process, FetchOptions.DEFAULTS,
          JobTypeOptions.DEFAULTS.concurrency(concurrency))), TIMEOUT);
      var queue = new RunQueue(vertx, pool);

      var first = round(vertx, queue, podcasts, "first");
      version.set(2);
      var changed = round(vertx, queue, podcasts, "changed");
      var unchanged = round(vertx, queue, podcasts, "not_modified");
      try (var c = db.connect(); var st = c.createStatement();
           var rs = st.executeQuery("select count(*) from episodes")) {
        rs.next();
        var expected = (long) podcasts * (items + 1);
        System.out.printf(Locale.ROOT, "episodes stored: %d (expected %d)%n", rs.getLong(1), expected);
        if (rs.getLong(1) != expected) {
          throw new IllegalStateException("the refreshes stored " + rs.getLong(1) + " episodes, not " + expected);
        }
      }
      var floor = floor(podcasts, items);
      var heap = bigFeedHeap(db, vertx, queue, base);
      return new Result(changed, floor, unchanged, first, heap, bigItems);
    } finally {
      io.vertx.core.Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
          .await(30, java.util.concurrent.TimeUnit.SECONDS);
      vertx.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** Refreshes every podcast once through the queue; returns feeds per second, enqueue to last completion. */
  private static double round(Vertx vertx, RunQueue queue, int podcasts, String name) throws Exception {
    var done = Promise.<Void>promise();
    var finished = new AtomicInteger();
    var failed = new AtomicInteger();
    var consumer = vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_UPDATES, msg -> {
      var status = msg.body().getString("status");
      if (RunTypes.REFRESH_FEED.equals(msg.body().getString("type"))
          && ("completed".equals(status) || "failed".equals(status))) {
        if ("failed".equals(status)) {
          failed.incrementAndGet();
        }
        if (finished.incrementAndGet() == podcasts) {
          done.tryComplete();
        }
      }
    });
    Await.result(consumer.completion(), TIMEOUT);
    var runs = new ArrayList<NewRun>(podcasts);
    for (var id = 1; id <= podcasts; id++) {
      runs.add(RunTypes.refresh(id));
    }
    var start = System.nanoTime();
    for (var i = 0; i < runs.size(); i += 500) {
      Await.result(queue.enqueueAll(runs.subList(i, Math.min(runs.size(), i + 500))), TIMEOUT);
    }
    Await.result(done.future(), TIMEOUT);
    var seconds = (System.nanoTime() - start) / 1e9;
    Await.result(consumer.unregister(), TIMEOUT);
    var perSecond = podcasts / seconds;
    System.out.printf(Locale.ROOT, "round %s: %d feeds in %.2f s = %.0f feeds/s, failed=%d%n", name, podcasts, seconds,
        perSecond, failed.get());
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " refresh(es) failed in round " + name);
    }
    return perSecond;
  }

  /** ROME parsing the same bytes (version 2 of every feed) in one thread, after a warm-up pass. */
  private static double floor(int podcasts, int items) throws Exception {
    var feeds = new ArrayList<byte[]>(podcasts);
    for (var id = 1; id <= podcasts; id++) {
      feeds.add(feed(id, items + 1, "http://127.0.0.1/media").getBytes(StandardCharsets.UTF_8));
    }
    var entries = 0L;
    for (var bytes : feeds) {
      entries += new SyndFeedInput().build(new XmlReader(new ByteArrayInputStream(bytes))).getEntries().size();
    }
    var start = System.nanoTime();
    for (var bytes : feeds) {
      entries += new SyndFeedInput().build(new XmlReader(new ByteArrayInputStream(bytes))).getEntries().size();
    }
    var seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "floor: ROME parsed %d feeds (%d entries) in %.2f s in one thread%n", podcasts,
        entries / 2, seconds);
    return podcasts / seconds;
  }

  /**
   * Refreshes one big podcast with the heap's peak reset just before; returns the peak heap in MB above the heap
   * used before. That peak counts garbage not yet collected too: run with a small {@code -Xmx} to see the bound.
   */
  private static long bigFeedHeap(ScratchDatabase db, Vertx vertx, RunQueue queue, String base) throws Exception {
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute("insert into podcasts (id, owner, rss_url, auto_download) values (0, 'bench', '" + base
          + "/big.xml', false)");
    }
    System.gc();
    var pools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    var before = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    pools.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
    var id = Await.result(queue.enqueue(RunTypes.refresh(0)), TIMEOUT);
    while (true) {
      var status = Await.result(queue.status(id), TIMEOUT).orElse("");
      if (status.equals("completed") || status.equals("failed")) {
        if (status.equals("failed")) {
          throw new IllegalStateException("the big feed's refresh failed: " + Await.result(queue.get(id), TIMEOUT));
        }
        break;
      }
      Thread.sleep(20);
    }
    var peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return Math.max(0, peak - before) / (1024 * 1024);
  }

  private static HttpServer server(Vertx vertx, int items, AtomicInteger version, int bigItems) throws Exception {
    var big = Buffer.buffer(feed(0, bigItems, "http://127.0.0.1/media"));
    return Await.result(vertx.createHttpServer().requestHandler(req -> {
      var path = req.path();
      if (path.equals("/big.xml")) {
        req.response().putHeader("Content-Type", "application/rss+xml").end(big);
        return;
      }
      var id = Integer.parseInt(path.substring(1, path.indexOf('.')));
      var v = version.get();
      var etag = "\"" + id + "-v" + v + "\"";
      if (etag.equals(req.getHeader("If-None-Match"))) {
        req.response().setStatusCode(304).end();
        return;
      }
      req.response().putHeader("Content-Type", "application/rss+xml").putHeader("ETag", etag)
          .end(feed(id, items + v - 1, "http://127.0.0.1:" + req.localAddress().port() + "/media"));
    }).listen(0, "127.0.0.1"), TIMEOUT);
  }

  private static void load(ScratchDatabase db, int podcasts, String base) throws Exception {
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute("insert into podcasts (id, owner, rss_url, max_episodes_to_keep, auto_download) "
          + "select p, 'bench', '" + base + "/' || p || '.xml', 5, true from generate_series(1, " + podcasts + ") p");
    }
  }

  /** Podcast {@code id}'s feed with episodes 1..n, newest first, each with show notes of a few hundred bytes. */
  static String feed(int id, int n, String media) {
    var out = new StringBuilder(512 + n * 700);
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
        + "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\n<channel>\n<title>Bench podcast ")
        .append(id).append("</title>\n<link>https://example.org/").append(id)
        .append("</link>\n<description>A podcast for the feeds benchmark</description>\n<language>en</language>\n");
    var fmt = DateTimeFormatter.RFC_1123_DATE_TIME;
    var start = Instant.parse("2020-01-01T06:00:00Z");
    for (var k = n; k >= 1; k--) {
      out.append("<item>\n<guid isPermaLink=\"false\">bench-").append(id).append('-').append(k)
          .append("</guid>\n<title>Episode ").append(k).append(" of podcast ").append(id)
          .append("</title>\n<pubDate>").append(fmt.format(start.plus(k, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC)))
          .append("</pubDate>\n<description><![CDATA[<p>Show notes for episode ").append(k)
          .append(": we talk about feeds, queues &amp; databases. ").append("Links and chapters follow. ".repeat(8))
          .append("</p>]]></description>\n<itunes:duration>01:02:03</itunes:duration>\n<enclosure url=\"")
          .append(media).append('/').append(id).append('/').append(k)
          .append(".mp3\" length=\"52428800\" type=\"audio/mpeg\"/>\n</item>\n");
    }
    return out.append("</channel>\n</rss>\n").toString();
  }
}
