package io.castbus.bench;

import io.castbus.common.RunTypes;
import io.castbus.common.db.Migrations;
import io.castbus.feeds.FeedsVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One {@code refresh_podcasts} firing fanning out a {@code refresh_feed} run for every one of P podcasts, served by
 * K feeds processes (child JVMs sharing the database, as replicas do) against a loopback server that answers every
 * feed {@code 304 Not Modified}: the time from the firing's run being stored to the last child completed, by the
 * database's clock, and the runs per second that makes.
 */
final class FanoutBench {

  record Result(int runs, int processes, double seconds) {
    double perSecond() {
      return runs / seconds;
    }
  }

  private FanoutBench() {
  }

  static Result measure(String serverUrl, int podcasts, int processes) throws Exception {
    var vertx = Vertx.vertx();
    try (var db = ScratchDatabase.create(serverUrl)) {
      Migrations.migrate(db.database());
      HttpServer server = vertx.createHttpServer()
          .requestHandler(req -> req.response().setStatusCode(304).putHeader("ETag", "\"v1\"").end())
          .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
      load(db, podcasts, "http://127.0.0.1:" + server.actualPort());
      var children = new ArrayList<Process>();
      var dataDir = Files.createTempDirectory("castbus-fanout");
      try {
        for (var i = 0; i < processes; i++) {
          children.add(start(db, dataDir.resolve("p" + i)));
        }
        awaitWorkers(db, processes, children);
        var firing = UUID.randomUUID();
        db.exec("insert into runs (id, type, job_id, payload) values ('" + firing + "', '"
            + FeedsVerticle.REFRESH_PODCASTS + "', '" + FeedsVerticle.REFRESH_PODCASTS + "', '{\"all\": true}')");
        var seconds = awaitChildren(db, firing, podcasts, children);
        return new Result(podcasts, processes, seconds);
      } finally {
        for (var child : children) {
          child.destroy();
        }
        for (var child : children) {
          if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly();
          }
        }
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static void load(ScratchDatabase db, int podcasts, String base) throws SQLException {
    db.exec("insert into podcasts (owner, rss_url, title, etag, last_checked) select 'bench', '" + base
        + "/feed/' || i || '.xml', 'Podcast ' || i, '\"v1\"', now() from generate_series(1, " + podcasts + ") i");
    db.exec("vacuum analyze podcasts");
  }

  private static Process start(ScratchDatabase db, Path dataDir) throws Exception {
    var jar = Path.of(FanoutBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", jar.toString(), FeedsProcess.class.getName());
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(Map.of("DATABASE_URL", db.url(), "ALLOW_PRIVATE_NETWORKS", "true",
        "HTTP_PORT", "0", "DATA_DIR", dataDir.toString(), "DOWNLOAD_DIR", dataDir.resolve("library").toString(),
        "LOG_LEVEL", "WARN"));
    return builder.start();
  }

  /** Waits until every feeds process has its worker recorded: then all of them claim from the start. */
  private static void awaitWorkers(ScratchDatabase db, int processes, List<Process> children) throws Exception {
    var deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (db.count("select count(*) from workers where '" + RunTypes.REFRESH_FEED + "' = any(types)") < processes) {
      requireAlive(children, "at start");
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the feeds processes did not start within 3 minutes");
      }
      Thread.sleep(100);
    }
  }

  private static double awaitChildren(ScratchDatabase db, UUID firing, int podcasts, List<Process> children)
      throws Exception {
    var deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (true) {
      try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery("""
          select count(*) filter (where status in ('completed', 'failed')) as ended,
                 count(*) filter (where status = 'failed') as failed, count(*) as total,
                 extract(epoch from max(finished_at) - (select created_at from runs where id = '%s')) as seconds
            from runs where parent_id = '%s'""".formatted(firing, firing))) {
        rs.next();
        if (rs.getLong("ended") == podcasts) {
          if (rs.getLong("failed") > 0 || rs.getLong("total") != podcasts) {
            throw new IllegalStateException(rs.getLong("failed") + " child run(s) failed, " + rs.getLong("total")
                + " created for " + podcasts + " podcasts");
          }
          return rs.getDouble("seconds");
        }
      }
      requireAlive(children, "during the fan-out");
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the fan-out did not finish within 30 minutes");
      }
      Thread.sleep(200);
    }
  }

  private static void requireAlive(List<Process> children, String when) {
    for (var child : children) {
      if (!child.isAlive()) {
        throw new IllegalStateException("a feeds process ended " + when + ", exit " + child.exitValue());
      }
    }
  }


  static String line(Result r) {
    return String.format(Locale.ROOT, "fanout runs=%d feeds_processes=%d seconds=%.2f runs_per_s=%d", r.runs(),
        r.processes(), r.seconds(), Math.round(r.perSecond()));
  }
}
