package io.castbus.bench;

import io.castbus.common.PageCursor;
import io.castbus.common.db.Migrations;
import io.castbus.common.queue.BulkActions;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunSearch;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Run control at scale: {@code runs} runs of five types over 30 days (errors, podcasts and episodes with titles),
 * then searches by the code the API runs (p50 / p95 per kind), then {@value #ROUNDS} rounds of: {@code workers}
 * no-op workers draining {@code drain} runs alone, and the same drain while a bulk retry of {@code failed} failed
 * runs of another type goes on; the round with the median ratio is reported.
 */
final class RunsBench {

  private static final int SEARCHES = 200;
  /** Paired rounds of the drain alone and beside a bulk retry; the median one is reported. */
  private static final int ROUNDS = 5;
  private static final String[] WORDS = {"reset", "timeout", "refused", "certificate", "404", "disk", "gone"};

  /** One round: the drain alone, then the same drain while the bulk retry goes on. */
  record Round(double drainAlone, double drainWithBulk, double bulkSeconds, int retried) {

    double ratio() {
      return drainWithBulk / drainAlone;
    }
  }

  record Result(Map<String, double[]> search, List<Round> rounds) {

    double p95() {
      return search.values().stream().mapToDouble(p -> p[1]).max().orElse(0);
    }

    /** The round with the median drain ratio (the rounds are an odd number). */
    Round median() {
      var sorted = new ArrayList<>(rounds);
      sorted.sort(java.util.Comparator.comparingDouble(Round::ratio));
      return sorted.get(sorted.size() / 2);
    }

    double drainRatio() {
      return median().ratio();
    }

    double bulkSeconds() {
      return median().bulkSeconds();
    }

    int retried() {
      return rounds.stream().mapToInt(Round::retried).min().orElse(0);
    }
  }

  private RunsBench() {
  }

  static Result measure(ScratchDatabase db, int runs, int failed, int drain, int workers) throws Exception {
    Migrations.migrate(db.database());
    load(db, runs, failed);
    var vertx = Vertx.vertx();
    try {
      var pool = db.database().pool(vertx, "bench", 16);
      var queue = new RunQueue(vertx, pool);
      var search = searches(db, queue);
      for (var i = 0; i < workers; i++) {
        Await.result(vertx.deployVerticle(new NoopWorkerVerticle(queue, BenchMain.DEFAULT_CONCURRENCY,
            new ConcurrentHashMap<>(), false)), Duration.ofSeconds(30));
      }
      drainRate(db, queue, drain / 4); // warm-up
      var bulk = new BulkActions(queue);
      var filter = RunSearch.from(new JsonObject().put("type", "bench_failed").put("status", "failed"), null);
      var rounds = new ArrayList<Round>();
      for (var round = 1; round <= ROUNDS; round++) {
        settle(db);
        var alone = drainRate(db, queue, drain);
        settle(db);
        var started = System.nanoTime();
        var retried = bulk.run(BulkActions.Action.RETRY, filter, "bench", null);
        var withBulk = drainRate(db, queue, drain);
        var answer = Await.result(retried, Duration.ofMinutes(10));
        var r = new Round(alone, withBulk, (System.nanoTime() - started) / 1e9, answer.getInteger("done"));
        System.out.printf(Locale.ROOT, "round %d: drain %.0f runs/s alone, %.0f runs/s during a bulk retry of %d "
            + "runs (%.1f s): ratio %.2f%n", round, alone, withBulk, r.retried(), r.bulkSeconds(), r.ratio());
        rounds.add(r);
        db.exec("delete from runs where type = 'bench_failed' and retry_of is not null");
      }
      Await.result(io.vertx.core.Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()),
          Duration.ofSeconds(30));
      return new Result(search, rounds);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  static String line(Result r) {
    return String.format(Locale.ROOT, "runs_search p95_ms=%.1f bulk_retry_s=%.1f drain_ratio=%.2f", r.p95(),
        r.bulkSeconds(), r.drainRatio());
  }

  /** p50 and p95 in ms of {@value #SEARCHES} first pages of 50 for each kind of search. */
  private static Map<String, double[]> searches(ScratchDatabase db, RunQueue queue) throws Exception {
    var random = new Random(7);
    var recent = Instant.now().minus(Duration.ofDays(3));
    var kinds = new LinkedHashMap<String, java.util.function.IntFunction<RunSearch>>();
    kinds.put("q=error word", i -> search(new JsonObject().put("q", WORDS[i % WORDS.length])));
    kinds.put("q=podcast title", i -> search(new JsonObject().put("q", "Show " + (1 + random.nextInt(500)))));
    kinds.put("q=episode title", i -> search(new JsonObject().put("q", "Chapter " + (1 + random.nextInt(50_000)))));
    kinds.put("q=payload id", i -> search(new JsonObject().put("q", String.valueOf(1 + random.nextInt(50_000)))));
    kinds.put("status+type", i -> search(new JsonObject().put("status", i % 2 == 0 ? "failed" : "completed")
        .put("type", "download_episode")));
    kinds.put("created_after", i -> search(new JsonObject()
        .put("created_after", recent.minus(Duration.ofHours(random.nextInt(48))).toString())));
    kinds.put("user's q", i -> search(new JsonObject().put("q", WORDS[i % WORDS.length])).owner(1L + i % 20));
    var results = new LinkedHashMap<String, double[]>();
    for (var kind : kinds.entrySet()) {
      var times = new double[SEARCHES];
      for (var i = 0; i < SEARCHES; i++) {
        var start = System.nanoTime();
        Await.result(queue.list(kind.getValue().apply(i), 50, (PageCursor) null), Duration.ofSeconds(30));
        times[i] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(times);
      var p = new double[] {times[SEARCHES / 2], times[(int) Math.ceil(SEARCHES * 0.95) - 1]};
      results.put(kind.getKey(), p);
      System.out.printf(Locale.ROOT, "search %-16s p50_ms=%.1f p95_ms=%.1f%n", kind.getKey(), p[0], p[1]);
    }
    return results;
  }

  private static RunSearch search(JsonObject filter) {
    return RunSearch.from(filter, null);
  }

  /**
   * Puts each measurement on the same footing: the previous drain's dead rows vacuumed away, so that autovacuum
   * does not start in the middle of one measurement and not the other.
   */
  private static void settle(ScratchDatabase db) throws SQLException {
    db.exec("vacuum analyze runs");
  }

  /** Enqueues {@code n} no-op runs and answers how many the workers complete per second. */
  private static double drainRate(ScratchDatabase db, RunQueue queue, int n) throws Exception {
    var batch = new ArrayList<NewRun>();
    var start = System.nanoTime();
    for (var i = 0; i < n; i++) {
      batch.add(NewRun.of(NoopWorkerVerticle.TYPE, new JsonObject().put("n", i)));
      if (batch.size() == BenchMain.ENQUEUE_BATCH || i == n - 1) {
        Await.result(queue.enqueueAll(List.copyOf(batch)), Duration.ofSeconds(60));
        batch.clear();
      }
    }
    while (db.count("select count(*) from runs where type = 'noop' and status in ('queued', 'running')") > 0) {
      Thread.sleep(20);
    }
    var rate = n / ((System.nanoTime() - start) / 1e9);
    System.out.printf(Locale.ROOT, "drain: %d no-op runs at %.0f runs/s%n", n, rate);
    db.exec("delete from runs where type = 'noop'");
    return rate;
  }

  /**
   * 20 users; 500 podcasts ("Show n") of 100 episodes ("Chapter n"); {@code runs} runs over 30 days: downloads and
   * refreshes naming them, 10 % failed with one of a few kinds of error; and {@code failed} failed runs to retry.
   */
  private static void load(ScratchDatabase db, int runs, int failed) throws SQLException {
    var start = System.nanoTime();
    db.exec("insert into users (name, role) select 'user' || g, 'user' from generate_series(1, 20) g");
    db.exec("insert into podcasts (rss_url, title) select 'http://feeds.example/' || g, 'Show ' || g "
        + "from generate_series(1, 500) g");
    db.exec("insert into episodes (podcast_id, guid, title) select 1 + (g - 1) / 100, 'e' || g, 'Chapter ' || g "
        + "from generate_series(1, 50000) g");
    db.exec("""
        insert into runs (id, type, owner_id, status, payload, error, created_at, started_at, finished_at)
        select gen_random_uuid(), t.type, 1 + g % 20,
               case when g % 10 = 0 then 'failed' when g % 33 = 0 then 'cancelled' else 'completed' end,
               case when t.type = 'download_episode' then jsonb_build_object('episode_id', 1 + g % 50000)
                    when t.type in ('refresh_feed', 'fetch_artwork') then jsonb_build_object('podcast_id', 1 + g % 500)
                    else '{}' end,
               case when g % 10 = 0 then jsonb_build_object('code', 'failed', 'message', (array[
                      'connection reset by peer after ' || g % 97 || ' MB from host' || g % 13 || '.example',
                      'timeout: no byte for 60 s from cdn' || g % 7 || '.example',
                      'connection refused by 10.0.' || g % 200 || '.9:443',
                      'certificate for media' || g % 5 || '.example expired',
                      'HTTP 404 for https://media.example/' || g || '.mp3',
                      'disk full: ' || g % 50 || ' MB free under the library', 'HTTP 410 gone'])[1 + g % 7]) end,
               c.at, c.at, c.at + make_interval(secs => g % 300)
          from generate_series(1, RUNS) g
          cross join lateral (select (array['download_episode', 'download_episode', 'refresh_feed', 'refresh_feed',
                                            'fetch_artwork', 'cleanup_episodes', 'expire_runs'])[1 + g % 7] as type) t
          cross join lateral (select now() - make_interval(secs => (g::double precision / RUNS) * 30 * 86400) as at) c
        """.replace("RUNS", String.valueOf(runs)));
    db.exec("""
        insert into runs (id, type, status, error, created_at, finished_at)
        select gen_random_uuid(), 'bench_failed', 'failed', jsonb_build_object('message', 'flaky upstream'), now(),
               now() from generate_series(1, %d)""".formatted(failed));
    db.exec("vacuum analyze runs");
    db.exec("analyze podcasts");
    db.exec("analyze episodes");
    System.out.printf(Locale.ROOT, "loaded %d runs and %d failed ones to retry in %.0f s%n", runs, failed,
        (System.nanoTime() - start) / 1e9);
  }
}
