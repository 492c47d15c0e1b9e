package io.castbus.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * db-scheduler in lock-and-fetch mode: N no-op one-time tasks scheduled up front (not timed), then W executor
 * threads until every task has executed once. Time stops at the last first execution, before its row is deleted,
 * which slightly favours db-scheduler.
 */
final class DbSchedulerRun {

  static final String VERSION = "16.12.0";
  static final double LOWER_LIMIT = 0.5;
  static final double UPPER_LIMIT = 3.0;

  private DbSchedulerRun() {
  }

  static Throughput measure(ScratchDatabase db, int runs, int threads, Duration pollingInterval, int batch)
      throws Exception {
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute(BenchSql.DB_SCHEDULER_TABLE);
    }
    var executions = new AtomicIntegerArray(runs);
    var firstExecutions = new AtomicInteger();
    var lastFirstExecution = new AtomicLong();
    var allExecuted = new CountDownLatch(1);
    OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> {
      if (executions.incrementAndGet(Integer.parseInt(instance.getId())) == 1
          && firstExecutions.incrementAndGet() == runs) {
        lastFirstExecution.set(System.nanoTime());
        allExecuted.countDown();
      }
    });
    try (var dataSource = dataSource(db, threads + 2)) {
      schedule(SchedulerClient.Builder.create(dataSource, noop).build(), noop, runs, batch);
      try (var c = dataSource.getConnection(); var st = c.createStatement()) {
        st.execute("vacuum analyze scheduled_tasks");
      }
      var scheduler = Scheduler.create(dataSource, noop)
          .threads(threads)
          .pollingInterval(pollingInterval)
          .pollUsingLockAndFetch(LOWER_LIMIT, UPPER_LIMIT)
          .build();
      var cpu = CpuUsage.now();
      var start = System.nanoTime();
      scheduler.start();
      var finished = allExecuted.await(10, TimeUnit.MINUTES);
      var used = CpuUsage.now().since(cpu);
      scheduler.stop();
      var nanos = (finished ? lastFirstExecution.get() : System.nanoTime()) - start;
      var executed = 0;
      var duplicates = 0;
      for (var i = 0; i < runs; i++) {
        executed += executions.get(i) > 0 ? 1 : 0;
        duplicates += executions.get(i) > 1 ? 1 : 0;
      }
      var left = left(dataSource);
      return new Throughput("db-scheduler " + VERSION, runs, nanos, duplicates, Math.max(runs - executed, left),
          "threads=" + threads + " poll=lock-and-fetch(" + LOWER_LIMIT + "," + UPPER_LIMIT + ") polling_interval_ms="
              + pollingInterval.toMillis() + " rows_left=" + left + " " + used);
    }
  }

  private static void schedule(SchedulerClient client, OneTimeTask<Void> task, int runs, int batch) {
    var due = Instant.now().minusSeconds(1);
    for (var from = 0; from < runs; from += batch) {
      var instances = new ArrayList<TaskInstance<?>>(batch);
      for (var i = from; i < Math.min(runs, from + batch); i++) {
        instances.add(task.instance(Integer.toString(i)));
      }
      client.scheduleBatch(List.copyOf(instances), due);
    }
  }

  private static HikariDataSource dataSource(ScratchDatabase db, int size) {
    var config = new HikariConfig();
    config.setJdbcUrl(db.database().jdbcUrl());
    config.setUsername(db.database().user());
    config.setPassword(db.database().password());
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setPoolName("db-scheduler-bench");
    return new HikariDataSource(config);
  }

  private static int left(HikariDataSource dataSource) throws Exception {
    try (var c = dataSource.getConnection(); var rs = c.createStatement().executeQuery(BenchSql.DB_SCHEDULER_LEFT)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
