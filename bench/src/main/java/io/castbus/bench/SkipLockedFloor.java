package io.castbus.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The raw floor: W JDBC threads, each looping one autocommitted statement that claims and completes one row with
 * {@code FOR UPDATE SKIP LOCKED}, until the table is drained. No leases, no results, no batching.
 */
final class SkipLockedFloor {

  private SkipLockedFloor() {
  }

  static Throughput measure(ScratchDatabase db, int runs, int threads) throws Exception {
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute(BenchSql.FLOOR_TABLE);
      try (var fill = c.prepareStatement(BenchSql.FLOOR_FILL)) {
        fill.setInt(1, runs);
        fill.execute();
      }
      st.execute("vacuum analyze floor_jobs");
    }
    var taken = new AtomicIntegerArray(runs + 1);
    var connections = new ArrayList<Connection>();
    var executor = Executors.newFixedThreadPool(threads);
    try {
      for (var i = 0; i < threads; i++) {
        connections.add(db.connect());
      }
      var go = new CountDownLatch(1);
      var loops = new ArrayList<Future<Void>>();
      for (var connection : connections) {
        loops.add(executor.submit(drain(connection, go, taken)));
      }
      var cpu = CpuUsage.now();
      var start = System.nanoTime();
      go.countDown();
      for (var loop : loops) {
        loop.get(10, TimeUnit.MINUTES);
      }
      var nanos = System.nanoTime() - start;
      var used = CpuUsage.now().since(cpu);
      var executed = 0;
      var duplicates = 0;
      for (var id = 1; id <= runs; id++) {
        executed += taken.get(id) > 0 ? 1 : 0;
        duplicates += taken.get(id) > 1 ? 1 : 0;
      }
      var lost = Math.max(runs - executed, runs - doneInDatabase(db));
      return new Throughput("floor (raw SKIP LOCKED)", runs, nanos, duplicates, lost,
          "threads=" + threads + " one autocommitted update...returning per run " + used);
    } finally {
      executor.shutdownNow();
      for (var connection : connections) {
        connection.close();
      }
    }
  }

  private static Callable<Void> drain(Connection connection, CountDownLatch go, AtomicIntegerArray taken) {
    return () -> {
      try (var take = connection.prepareStatement(BenchSql.FLOOR_TAKE)) {
        go.await();
        while (true) {
          try (var rs = take.executeQuery()) {
            if (!rs.next()) {
              return null;
            }
            taken.incrementAndGet((int) rs.getLong(1));
          }
        }
      }
    };
  }

  private static int doneInDatabase(ScratchDatabase db) throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(BenchSql.FLOOR_DONE)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
