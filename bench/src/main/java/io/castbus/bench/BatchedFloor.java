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
 * The floor of a batched queue on this database: W JDBC threads, each looping two autocommitted statements until
 * the table is drained — claim up to {@value #BATCH} rows with {@code FOR UPDATE SKIP LOCKED}, then mark them done
 * with one {@code update … where id = any(?)}. Rows are loaded before the clock starts; no leases, no results, no
 * history, no events: what the engine adds to this is its own cost.
 */
final class BatchedFloor {

  static final int BATCH = 100;

  private BatchedFloor() {
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
      return new Throughput("floor (batched SKIP LOCKED)", runs, nanos, duplicates, lost,
          "threads=" + threads + " claim " + BATCH + " then one update per batch " + used);
    } finally {
      executor.shutdownNow();
      for (var connection : connections) {
        connection.close();
      }
    }
  }

  private static Callable<Void> drain(Connection connection, CountDownLatch go, AtomicIntegerArray taken) {
    return () -> {
      try (var claim = connection.prepareStatement(BenchSql.FLOOR_CLAIM);
          var done = connection.prepareStatement(BenchSql.FLOOR_DONE_BATCH)) {
        claim.setInt(1, BATCH);
        go.await();
        while (true) {
          var ids = new ArrayList<Long>(BATCH);
          try (var rs = claim.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
            }
          }
          if (ids.isEmpty()) {
            return null;
          }
          done.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
          done.executeUpdate();
          for (var id : ids) {
            taken.incrementAndGet(id.intValue());
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
