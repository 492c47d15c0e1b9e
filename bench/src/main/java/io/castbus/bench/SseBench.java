package io.castbus.bench;

import io.castbus.common.bus.RunUpdate;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Process;
import io.castbus.common.ops.Health;
import io.castbus.gateway.GatewayVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live stream under load: a gateway as a process runs it, {@code clients} SSE connections from another Vert.x on
 * loopback, and run progress published on {@code castbus.runs.updates} at rising rates, each for a few seconds. A
 * rate is sustained when every client receives every event and none is disconnected for falling behind.
 */
final class SseBench {

  private static final long[] RATES = {1_000, 2_000, 5_000, 10_000, 20_000, 40_000};
  private static final long TICK_MS = 10;
  private static final Duration DRAIN = Duration.ofSeconds(5);

  record Result(long sustainedRate) {
  }

  private SseBench() {
  }

  static Result measure(ScratchDatabase db, int clients, int seconds) throws Exception {
    Migrations.migrate(db.database());
    var data = Files.createTempDirectory("castbus-bench-sse");
    var settings = Settings.load(Map.of("HTTP_PORT", "0", "AUTH_MODE", "local-open", "DATA_DIR", data.toString(),
        "ADMIN_API_KEY", "cb_bench_sse_admin_key"), Settings.AuthMode.LOCAL_OPEN);
    var server = ClusterSetup.local(settings);
    var client = Vertx.vertx();
    try {
      var pool = db.database().pool(server, "bench", 2);
      var health = new Health(server, pool);
      health.migrationsApplied();
      var gateway = new GatewayVerticle(new Process(server, settings, db.database(), pool, health));
      Await.result(server.deployVerticle(gateway), Duration.ofSeconds(60));
      var received = new AtomicLongArray(clients);
      var dropped = new AtomicInteger();
      connect(client, gateway.actualPort(), clients, received, dropped);
      var sustained = 0L;
      for (var rate : RATES) {
        for (var i = 0; i < clients; i++) {
          received.set(i, 0);
        }
        var total = publish(server, rate, seconds);
        var deadline = System.nanoTime() + DRAIN.toNanos();
        while (min(received) < total && dropped.get() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        var kept = dropped.get() == 0 && min(received) == total;
        System.out.printf(Locale.ROOT, "rate=%d events/s for %d s: published=%d least_received=%d dropped_clients=%d %s%n",
            rate, seconds, total, min(received), dropped.get(), kept ? "sustained" : "NOT sustained");
        if (!kept) {
          break;
        }
        sustained = rate;
      }
      return new Result(sustained);
    } finally {
      Await.result(client.close(), Duration.ofSeconds(30));
      Await.result(server.close(), Duration.ofSeconds(30));
    }
  }

  private static void connect(Vertx vertx, int port, int clients, AtomicLongArray received, AtomicInteger dropped)
      throws InterruptedException {
    var http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(clients));
    var connected = new CountDownLatch(clients);
    for (var i = 0; i < clients; i++) {
      var n = i;
      http.request(HttpMethod.GET, "/api/events").compose(req -> req.send()).onSuccess(response -> {
        var parser = RecordParser.newDelimited("\n\n", frame -> {
          if (frame.getByte(0) == 'i') {
            received.incrementAndGet(n);
          } else if (frame.toString().startsWith("retry:")) {
            connected.countDown();
          }
        });
        response.handler(parser);
        response.endHandler(v -> dropped.incrementAndGet());
        response.exceptionHandler(e -> dropped.incrementAndGet());
      }).onFailure(e -> {
        dropped.incrementAndGet();
        connected.countDown();
      });
    }
    if (!connected.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("not every SSE client connected");
    }
  }

  /** Publishes {@code rate} progress updates a second for {@code seconds}, in 10 ms ticks; returns how many. */
  private static long publish(Vertx server, long rate, int seconds) throws Exception {
    var perTick = Math.max(1, rate * TICK_MS / 1000);
    var ticks = seconds * 1000 / TICK_MS;
    var done = Promise.<Void>promise();
    var sent = new long[1];
    server.runOnContext(v -> server.setPeriodic(TICK_MS, timer -> {
      for (var i = 0; i < perTick; i++) {
        sent[0]++;
        RunUpdate.progress(java.util.UUID.fromString("00000000-0000-7000-8000-"
                + String.format(Locale.ROOT, "%012d", sent[0] % 1000)), "download_episode", null,
            new JsonObject().put("current", sent[0]).put("total", perTick * ticks)).publish(server.eventBus());
      }
      if (sent[0] >= perTick * ticks) {
        server.cancelTimer(timer);
        done.complete();
      }
    }));
    Await.result(done.future(), Duration.ofSeconds(seconds * 10L + 30));
    return perTick * ticks;
  }

  private static long min(AtomicLongArray values) {
    var min = Long.MAX_VALUE;
    for (var i = 0; i < values.length(); i++) {
      min = Math.min(min, values.get(i));
    }
    return min;
  }
}
