package io.castbus.bench;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar castbus-bench.jar engine|lateness|cleanup|observability|sse|feeds|downloads|cluster|fanout|library|subscriptions|runs [options]}: measures Castbus side by side with a reference on
 * a throwaway database of the given PostgreSQL server, and prints one line per system.
 */
public final class BenchMain {

  static final int DEFAULT_RUNS = 20_000;
  static final int DEFAULT_WORKERS = 8;
  /** Per worker. A no-op handler ends as soon as it starts, so this is in effect the claim size; see benchmarks.md. */
  static final int DEFAULT_CONCURRENCY = 64;
  static final int ENQUEUE_BATCH = 1_000;
  static final Duration DB_SCHEDULER_POLL = Duration.ofMillis(100);

  private static final Set<String> ENGINE_OPTIONS =
      Set.of("runs", "workers", "concurrency", "pool", "warmup", "database-url", "only");

  private static final Set<String> LATENESS_OPTIONS =
      Set.of("jobs", "period", "window", "workers", "database-url");

  private static final Set<String> OBSERVABILITY_OPTIONS = Set.of("runs", "rounds", "workers", "database-url");

  private static final Set<String> SSE_OPTIONS = Set.of("clients", "seconds", "database-url");

  private static final Set<String> CLEANUP_OPTIONS = Set.of("podcasts", "episodes", "keep", "database-url");

  private static final Set<String> FEEDS_OPTIONS = Set.of("podcasts", "items", "concurrency", "big", "database-url");
  private static final Set<String> DOWNLOADS_OPTIONS =
      Set.of("files", "size-mb", "concurrency", "rss-mb", "rounds", "warmup", "dir", "database-url");

  private static final Set<String> CLUSTER_OPTIONS = Set.of("runs", "kills", "workers", "database-url");

  private static final Set<String> FANOUT_OPTIONS = Set.of("podcasts", "processes", "database-url");

  private static final Set<String> SUBSCRIPTIONS_OPTIONS = Set.of("users", "subscriptions", "feeds", "database-url");

  private static final Set<String> RUNS_OPTIONS = Set.of("runs", "failed", "drain", "workers", "database-url");

  private static final Set<String> LIBRARY_OPTIONS =
      Set.of("size-mb", "clients", "rounds", "tag-mb", "dir", "database-url");

  private BenchMain() {
  }

  public static void main(String[] argv) {
    quietLibraries();
    var command = argv.length == 0 ? "" : argv[0];
    var args = argv.length == 0 ? List.<String>of() : Arrays.asList(argv).subList(1, argv.length);
    try {
      var exact = switch (command) {
        case "engine" -> engine(BenchArgs.parse(args, ENGINE_OPTIONS));
        case "lateness" -> lateness(BenchArgs.parse(args, LATENESS_OPTIONS));
        case "cleanup" -> cleanup(BenchArgs.parse(args, CLEANUP_OPTIONS));
        case "observability" -> observability(BenchArgs.parse(args, OBSERVABILITY_OPTIONS));
        case "sse" -> sse(BenchArgs.parse(args, SSE_OPTIONS));
        case "feeds" -> feeds(BenchArgs.parse(args, FEEDS_OPTIONS));
        case "downloads" -> downloads(BenchArgs.parse(args, DOWNLOADS_OPTIONS));
        case "cluster" -> cluster(BenchArgs.parse(args, CLUSTER_OPTIONS));
        case "fanout" -> fanout(BenchArgs.parse(args, FANOUT_OPTIONS));
        case "library" -> library(BenchArgs.parse(args, LIBRARY_OPTIONS));
        case "subscriptions" -> subscriptions(BenchArgs.parse(args, SUBSCRIPTIONS_OPTIONS));
        case "runs" -> runs(BenchArgs.parse(args, RUNS_OPTIONS));
        default -> throw new IllegalArgumentException("unknown command '" + command + "'");
      };
      System.exit(exact ? 0 : 1);
    } catch (IllegalArgumentException e) {
      System.err.println("castbus-bench: " + e.getMessage());
      usage();
      System.exit(2);
    } catch (Exception e) {
      System.err.println("castbus-bench: " + command + " failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** Returns whether every system executed every run exactly once. */
  private static boolean engine(BenchArgs args) throws Exception {
    var runs = args.integer("runs", DEFAULT_RUNS, 1);
    var workers = args.integer("workers", DEFAULT_WORKERS, 1);
    var concurrency = args.integer("concurrency", DEFAULT_CONCURRENCY, 1);
    var pool = args.integer("pool", workers, 1);
    var warmup = args.integer("warmup", runs, 0);
    var only = List.of(args.string("only", "engine,dbscheduler,floor,statements").split(","));
    var url = args.databaseUrl();
    try (var db = ScratchDatabase.create(url); var warmDb = warmup > 0 ? ScratchDatabase.create(url) : null) {
      System.out.printf(Locale.ROOT, "castbus-bench engine: runs=%d warmup=%d workers=%d concurrency=%d (per worker) "
              + "pool=%d database=%s postgresql=%s nproc=%d java=%s%n", runs, warmup, workers, concurrency, pool,
          db.name(), db.serverVersion(), Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      var rounds = new Rounds(db, warmDb, runs, warmup);
      Throughput engine = null;
      Throughput dbScheduler = null;
      if (only.contains("engine")) {
        engine = rounds.measure((d, n) -> CastbusEngine.measure(d,
            new CastbusEngine.Setup(n, workers, concurrency, pool, ENQUEUE_BATCH, true, false)));
        System.out.println(engine.line());
      }
      if (only.contains("dbscheduler")) {
        dbScheduler = rounds.measure((d, n) -> DbSchedulerRun.measure(d, n, workers, DB_SCHEDULER_POLL,
            ENQUEUE_BATCH));
        System.out.println(dbScheduler.line());
      }
      Throughput floor = null;
      if (only.contains("floor")) {
        floor = rounds.measure((d, n) -> BatchedFloor.measure(d, n, workers));
        System.out.println(floor.line());
        System.out.printf(Locale.ROOT, "floor_runs_per_s=%d%s%n", Math.round(floor.perSecond()), engine == null ? ""
            : String.format(Locale.ROOT, " engine_vs_floor=%.2f", engine.perSecond() / floor.perSecond()));
      }
      Throughput statements = null;
      if (only.contains("statements")) {
        statements = rounds.measure((d, n) -> CastbusEngine.measureStatements(d,
            new CastbusEngine.Setup(n, workers, concurrency, pool, ENQUEUE_BATCH, false, false)));
        System.out.println(statements.line());
      }
      if (engine != null && dbScheduler != null) {
        System.out.printf(Locale.ROOT, "engine runs_per_s=%d dbscheduler_runs_per_s=%d ratio=%.2f%s%s%n",
            Math.round(engine.perSecond()), Math.round(dbScheduler.perSecond()),
            engine.perSecond() / dbScheduler.perSecond(), floor == null ? "" : String.format(Locale.ROOT,
                " floor_runs_per_s=%d engine_vs_floor=%.2f", Math.round(floor.perSecond()),
                engine.perSecond() / floor.perSecond()), statements == null || floor == null ? ""
                : String.format(Locale.ROOT, " statements_runs_per_s=%d statements_vs_floor=%.2f",
                    Math.round(statements.perSecond()), statements.perSecond() / floor.perSecond()));
      }
      if (!rounds.exact) {
        System.err.println("castbus-bench: some system lost or repeated runs; see duplicates= and lost= above");
      }
      return rounds.exact;
    }
  }

  /** One refresh_podcasts firing fanning out to every podcast, with 1..K feeds processes; the last line for K. */
  private static boolean fanout(BenchArgs args) throws Exception {
    var podcasts = args.integer("podcasts", 100_000, 1);
    var processes = args.integer("processes", 2, 1);
    System.out.printf(Locale.ROOT, "castbus-bench fanout: podcasts=%d feeds_processes=1..%d nproc=%d java=%s "
        + "(every feed answers 304)%n", podcasts, processes, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    for (var k = 1; k <= processes; k++) {
      System.out.println(FanoutBench.line(FanoutBench.measure(args.databaseUrl(), podcasts, k)));
    }
    return true;
  }

  /** Returns whether every feed was fetched exactly once. */
  private static boolean subscriptions(BenchArgs args) throws Exception {
    var users = args.integer("users", 200, 1);
    var subscriptions = args.integer("subscriptions", 20_000, 1);
    var feeds = args.integer("feeds", 5_000, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench subscriptions: users=%d subscriptions=%d feeds=%d database=%s "
              + "postgresql=%s nproc=%d java=%s%n", users, subscriptions, feeds, db.name(), db.serverVersion(),
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var r = SubscriptionsBench.measure(db, users, subscriptions, feeds);
      System.out.printf(Locale.ROOT, "one full refresh cycle: %d feeds fetched, %d to %d time(s) each, in %.1f s "
          + "(%.0f feeds/s)%n", r.feeds(), r.minPerFeed(), r.maxPerFeed(), r.seconds(), r.feeds() / r.seconds());
      System.out.println(SubscriptionsBench.line(r));
      return r.minPerFeed() == 1 && r.maxPerFeed() == 1 && r.feeds() == feeds;
    }
  }

  /** Returns whether the bulk retry retried every failed run. */
  private static boolean runs(BenchArgs args) throws Exception {
    var runs = args.integer("runs", 1_000_000, 1);
    var failed = args.integer("failed", 50_000, 1);
    var drain = args.integer("drain", 100_000, 1);
    var workers = args.integer("workers", DEFAULT_WORKERS, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench runs: runs=%d failed=%d drain=%d workers=%d database=%s "
              + "postgresql=%s nproc=%d java=%s%n", runs, failed, drain, workers, db.name(), db.serverVersion(),
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var r = RunsBench.measure(db, runs, failed, drain, workers);
      var m = r.median();
      System.out.printf(Locale.ROOT, "median round: bulk retry of %d failed runs: %.1f s; drain %.0f runs/s alone, "
          + "%.0f runs/s during the bulk retry%n", m.retried(), m.bulkSeconds(), m.drainAlone(), m.drainWithBulk());
      System.out.println(RunsBench.line(r));
      return r.retried() == failed;
    }
  }

  private static boolean library(BenchArgs args) throws Exception {
    var sizeMb = args.integer("size-mb", 1024, 1);
    var clients = args.integer("clients", 4, 1);
    var rounds = args.integer("rounds", 3, 1);
    var tagMb = args.integer("tag-mb", 100, 1);
    var dir = Path.of(args.string("dir", System.getProperty("java.io.tmpdir")));
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench library: size_mb=%d clients=%d rounds=%d tag_mb=%d dir=%s "
              + "database=%s postgresql=%s nproc=%d java=%s%n", sizeMb, clients, rounds, tagMb, dir, db.name(),
          db.serverVersion(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var r = LibraryBench.measure(db, dir, sizeMb, clients, rounds, tagMb);
      System.out.printf(Locale.ROOT, "tagging a %d MB MP3: %.3f s; copying it: %.3f s (tagging ÷ copying %.2f)%n",
          tagMb, r.tagSeconds(), r.copySeconds(), r.tagSeconds() / r.copySeconds());
      System.out.println(LibraryBench.line(r));
      return true;
    }
  }

  private static boolean lateness(BenchArgs args) throws Exception {
    var jobs = args.integer("jobs", 10_000, 1);
    var period = Duration.ofSeconds(args.integer("period", 30, 1));
    var window = Duration.ofSeconds(args.integer("window", 60, 1));
    var workers = args.integer("workers", 2, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench lateness: jobs=%d interval_s=%d window_s=%d (%d firings/s) "
              + "workers=%d database=%s postgresql=%s nproc=%d java=%s%n", jobs, period.toSeconds(),
          window.toSeconds(), jobs / period.toSeconds(), workers, db.name(), db.serverVersion(),
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var lateness = LatenessBench.measure(db, jobs, period, window, workers);
      System.out.println(lateness.details());
      System.out.println(lateness.line());
      return true;
    }
  }

  private static boolean cleanup(BenchArgs args) throws Exception {
    var podcasts = args.integer("podcasts", 100, 1);
    var episodes = args.integer("episodes", 1_000, 1);
    var keep = args.integer("keep", 5, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench cleanup: podcasts=%d episodes=%d keep=%d database=%s "
              + "postgresql=%s nproc=%d java=%s%n", podcasts, episodes, keep, db.name(), db.serverVersion(),
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var r = CleanupBench.measure(db, podcasts, episodes, keep);
      var expectedLeft = (long) podcasts * Math.min(keep, episodes);
      System.out.printf(Locale.ROOT, "castbus: deleted=%d in %.2f s, left=%d (expected %d); find: deleted=%d in %.2f s%n",
          r.deleted(), r.seconds(), r.left(), expectedLeft, r.findDeleted(), r.findSeconds());
      System.out.printf(Locale.ROOT, "cleanup files_per_s=%d find_files_per_s=%d ratio=%.2f%n",
          Math.round(r.perSecond()), Math.round(r.findPerSecond()), r.perSecond() / r.findPerSecond());
      return r.left() == expectedLeft;
    }
  }

  /**
   * The cost of watching: the engine with metrics and with an event, an output line and progress per run, against the
   * engine bare (no metrics, nothing written but the outcome), and each alone, in alternating rounds after one
   * warm-up round of each.
   */
  private static boolean observability(BenchArgs args) throws Exception {
    var runs = args.integer("runs", DEFAULT_RUNS, 1);
    var rounds = args.integer("rounds", 3, 1);
    var workers = args.integer("workers", DEFAULT_WORKERS, 1);
    var url = args.databaseUrl();
    System.out.printf(Locale.ROOT, "castbus-bench observability: runs=%d rounds=%d workers=%d concurrency=%d nproc=%d "
        + "java=%s%n", runs, rounds, workers, DEFAULT_CONCURRENCY, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    var modes = List.of("bare", "metrics", "events", "both");
    var rates = new java.util.LinkedHashMap<String, List<Double>>();
    modes.forEach(m -> rates.put(m, new ArrayList<>()));
    var exact = true;
    for (var round = 0; round <= rounds; round++) {
      for (var mode : modes) {
        try (var db = ScratchDatabase.create(url)) {
          var metrics = mode.equals("metrics") || mode.equals("both");
          var events = mode.equals("events") || mode.equals("both");
          var t = CastbusEngine.measure(db, new CastbusEngine.Setup(runs, workers, DEFAULT_CONCURRENCY, workers,
              ENQUEUE_BATCH, metrics, events));
          exact &= t.exact();
          System.out.println((round == 0 ? "warm-up " : "round " + round + " ") + t.line());
          if (round > 0) {
            rates.get(mode).add(t.perSecond());
          }
        }
      }
    }
    var bare = median(rates.get("bare"));
    for (var mode : modes) {
      System.out.printf(Locale.ROOT, "%s: median runs_per_s=%d overhead_pct=%.1f%n", mode,
          Math.round(median(rates.get(mode))), (1 - median(rates.get(mode)) / bare) * 100);
    }
    var both = median(rates.get("both"));
    System.out.printf(Locale.ROOT, "observability bare_runs_per_s=%d observed_runs_per_s=%d overhead_pct=%.1f%n",
        Math.round(bare), Math.round(both), (1 - both / bare) * 100);
    return exact;
  }

  private static boolean sse(BenchArgs args) throws Exception {
    var clients = args.integer("clients", 100, 1);
    var seconds = args.integer("seconds", 3, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench sse: clients=%d seconds_per_step=%d nproc=%d java=%s%n", clients,
          seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      var result = SseBench.measure(db, clients, seconds);
      System.out.printf(Locale.ROOT, "sse clients=%d sustained_events_per_s=%d frames_per_s=%d%n", clients,
          result.sustainedRate(), result.sustainedRate() * clients);
      return true;
    }
  }

  private static boolean downloads(BenchArgs args) throws Exception {
    var files = args.integer("files", 8, 1);
    var sizeMb = args.integer("size-mb", 128, 1);
    var concurrency = args.integer("concurrency", 2, 1);
    var rssMb = args.integer("rss-mb", 2048, 1);
    var rounds = args.integer("rounds", 2, 1);
    var warmup = args.integer("warmup", 3, 0);
    var dir = Path.of(args.string("dir", System.getProperty("java.io.tmpdir")));
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench downloads: files=%d size_mb=%d concurrency=%d rss_file_mb=%d "
              + "rounds=%d warmup=%d dir=%s database=%s postgresql=%s nproc=%d java=%s%n", files, sizeMb, concurrency,
          rssMb, rounds, warmup, dir, db.name(), db.serverVersion(), Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      var r = DownloadsBench.measure(db, dir, files, sizeMb, concurrency, rssMb, rounds, warmup);
      System.out.printf(Locale.ROOT, "castbus: %d rounds of %d x %d MB in %.2f s; curl: the same in %.2f s "
          + "(%.0f MB/s with a sync after it, durable as castbus's); the disk alone, writing the same files from memory "
          + "and fsyncing each: %.0f MB/s; %d MB file with -Xmx128m: peak RSS %d MB%n", rounds, files, sizeMb,
          r.seconds(), r.curlSeconds(), r.curlSyncedMbPerSecond(), r.diskMbPerSecond(), rssMb, r.peakRssMb());
      System.out.printf(Locale.ROOT, "downloads against the disk alone: ratio=%.2f%n",
          r.mbPerSecond() / r.diskMbPerSecond());
      System.out.println(DownloadsBench.line(r));
      return true;
    }
  }

  private static boolean feeds(BenchArgs args) throws Exception {
    var podcasts = args.integer("podcasts", 1_000, 1);
    var items = args.integer("items", 100, 1);
    var concurrency = args.integer("concurrency", 8, 1);
    var big = args.integer("big", 5_000, 1);
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench feeds: podcasts=%d items=%d concurrency=%d database=%s "
              + "postgresql=%s nproc=%d java=%s max_heap_mb=%d%n", podcasts, items, concurrency, db.name(),
          db.serverVersion(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
      var r = FeedsBench.measure(db, podcasts, items, concurrency, big);
      System.out.printf(Locale.ROOT, "first refresh (every episode new): %.0f feeds/s; a %d-item feed refreshed with "
          + "a heap peak of %d MB above the idle heap%n", r.firstPerSecond(), r.bigItems(), r.heapPeakMb());
      System.out.printf(Locale.ROOT, "feeds feeds_per_s=%d parse_floor_feeds_per_s=%d ratio=%.2f not_modified_per_s=%d%n",
          Math.round(r.changedPerSecond()), Math.round(r.floorPerSecond()),
          r.floorPerSecond() / r.changedPerSecond(), Math.round(r.notModifiedPerSecond()));
      return true;
    }
  }

  private static boolean cluster(BenchArgs args) throws Exception {
    var runs = args.integer("runs", DEFAULT_RUNS, 1);
    var kills = args.integer("kills", 3, 1);
    var workers = args.integer("workers", 4, 1);
    var logs = java.nio.file.Files.createTempDirectory("castbus-bench-cluster");
    try (var db = ScratchDatabase.create(args.databaseUrl())) {
      System.out.printf(Locale.ROOT, "castbus-bench cluster: runs=%d kills=%d workers=%d (per process) lease_s=%d "
              + "database=%s postgresql=%s nproc=%d java=%s logs=%s%n", runs, kills, workers,
          ClusterBench.lease().toSeconds(), db.name(), db.serverVersion(), Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), logs);
      var r = ClusterBench.measure(db, runs, kills, workers, logs);
      System.out.println(r.one().line());
      System.out.println(r.two().line());
      System.out.printf(Locale.ROOT, "cluster join_ms=%s pickup_ms=%s one_process_runs_per_s=%d "
              + "two_processes_runs_per_s=%d ratio=%.2f%n", r.joinMillis(), r.pickupMillis(),
          Math.round(r.one().perSecond()), Math.round(r.two().perSecond()), r.two().perSecond() / r.one().perSecond());
      return r.pickupMillis().stream().allMatch(ms -> ms <= ClusterBench.lease().plusSeconds(5).toMillis());
    }
  }

  private static double median(List<Double> values) {
    var sorted = values.stream().sorted().toList();
    var n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** One system measured on {@code runs} in a database of its own. */
  @FunctionalInterface
  private interface Measurement {
    Throughput run(ScratchDatabase db, int runs) throws Exception;
  }

  /**
   * Runs each system first on a warm-up database (so every system is measured with its code compiled by the JIT,
   * as in a long-running process), then on the measured one. Warm-up figures are printed, never used.
   */
  private static final class Rounds {
    private final ScratchDatabase db;
    private final ScratchDatabase warmDb;
    private final int runs;
    private final int warmup;
    private boolean exact = true;

    Rounds(ScratchDatabase db, ScratchDatabase warmDb, int runs, int warmup) {
      this.db = db;
      this.warmDb = warmDb;
      this.runs = runs;
      this.warmup = warmup;
    }

    Throughput measure(Measurement measurement) throws Exception {
      if (warmDb != null) {
        var warm = measurement.run(warmDb, warmup);
        System.out.println("warmup " + warm.line());
        exact &= warm.exact();
      }
      var measured = measurement.run(db, runs);
      exact &= measured.exact();
      return measured;
    }
  }

  private static void quietLibraries() {
    for (var name : List.of("com.github.kagkarlsson", "com.zaxxer.hikari", "io.castbus.common.queue.Worker",
        "io.castbus.common.db.Migrations")) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
    }
    // A member killed on purpose makes Hazelcast warn about the lost connection on every survivor.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast")).setLevel(Level.ERROR);
    // Vert.x registers its event-bus gauge again for each Vertx the benchmark creates, and Micrometer warns.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.micrometer")).setLevel(Level.ERROR);
  }

  private static void usage() {
    System.err.println("""
        usage: java -jar castbus-bench.jar engine --runs 20000 --workers 8
                                                  [--concurrency 64] [--pool 8] [--warmup 20000]
                                                  [--only engine,dbscheduler,floor,statements]
                                                  --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar lateness --jobs 10000 [--period 30] [--window 60] [--workers 2]
                                                    --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar cleanup [--podcasts 100] [--episodes 1000] [--keep 5]
                                                   --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar observability [--runs 20000] [--rounds 3] [--workers 8]
                                                   --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar sse [--clients 100] [--seconds 3]
                                                   --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar feeds [--podcasts 1000] [--items 100] [--concurrency 8] [--big 5000]
                                                 --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar fanout [--podcasts 100000] [--processes 2]
                                                  --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar cluster [--runs 20000] [--kills 3] [--workers 4]
                                                   --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar downloads [--files 8] [--size-mb 128] [--concurrency 2] [--rss-mb 2048] [--rounds 2] [--warmup 3]
                                                     [--dir <temp dir>] --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar subscriptions [--users 200] [--subscriptions 20000] [--feeds 5000]
                                                         --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar runs [--runs 1000000] [--failed 50000] [--drain 100000] [--workers 8]
                                          --database-url postgresql://postgres@127.0.0.1:5432/test
               java -jar castbus-bench.jar library [--size-mb 1024] [--clients 4] [--rounds 3] [--tag-mb 100]
                                                   [--dir <temp dir>] --database-url postgresql://postgres@127.0.0.1:5432/test
        """);
  }
}
