package io.castbus.bench;

/** Every statement the benchmarks run outside the systems they measure. */
final class BenchSql {

  /** db-scheduler's own PostgreSQL table and indexes, as its repository ships them for the 16.x line. */
  static final String DB_SCHEDULER_TABLE = """
      create table scheduled_tasks (
        task_name            text not null,
        task_instance        text not null,
        task_data            bytea,
        execution_time       timestamp with time zone not null,
        picked               boolean not null,
        picked_by            text,
        last_success         timestamp with time zone,
        last_failure         timestamp with time zone,
        consecutive_failures int,
        last_heartbeat       timestamp with time zone,
        version              bigint not null,
        priority             smallint,
        primary key (task_name, task_instance)
      );
      create index execution_time_idx on scheduled_tasks (execution_time);
      create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
      create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
      """;

  static final String DB_SCHEDULER_LEFT = "select count(*) from scheduled_tasks";

  /** The floor's queue: nothing but an id and a status, with the same partial index shape as Castbus's claim path. */
  static final String FLOOR_TABLE = """
      create table floor_jobs (
        id     bigint primary key,
        status text not null default 'queued'
      );
      create index floor_jobs_queued on floor_jobs (id) where status = 'queued';
      """;

  static final String FLOOR_FILL = """
      insert into floor_jobs (id) select generate_series(1, ?)
      """;

  /** The floor's claim: a batch of queued rows, locked past other claimers, marked running. */
  static final String FLOOR_CLAIM = """
      update floor_jobs set status = 'running'
       where id in (select id from floor_jobs where status = 'queued' order by id limit ? for update skip locked)
      returning id
      """;

  /** The floor's completion: one statement for the whole batch. */
  static final String FLOOR_DONE_BATCH = "update floor_jobs set status = 'done' where id = any(?)";

  static final String FLOOR_DONE = "select count(*) from floor_jobs where status = 'done'";

  static final String RUNS_EMPTIED = "truncate runs cascade";

  static final String RUNS_COMPLETED = """
      select count(*) filter (where status = 'completed') as completed,
             count(*) filter (where status = 'completed' and attempts = 1) as first_attempt,
             count(*) as total
        from runs
      """;

  static final String RUNS_COMPLETED_NOW = "select count(*) from runs where status = 'completed'";

  static final String NOOP_COMPLETED = "select count(*) from runs where type = 'noop' and status = 'completed'";

  static final String RUN_WORKER = "select status, worker_id from runs where id = ?";

  /** Staggers the jobs' first due times evenly over one period from {@code $1}, so the load is steady. */
  static final String STAGGER_JOBS = """
      update jobs j
         set next_run_at = $1::timestamptz + s.n * make_interval(secs => $2::float8 / $3)
        from (select id, row_number() over (order by id) - 1 as n from jobs where id like 'bench-%') s
       where j.id = s.id
      """;

  /** Lateness of every firing due in [$1, $2): from its due time to its run's creation. */
  static final String LATENESS = """
      select count(*) as fired,
             percentile_cont(0.5) within group (order by ms) as p50,
             percentile_cont(0.99) within group (order by ms) as p99,
             max(ms) as max
        from (select extract(epoch from created_at - due_at) * 1000 as ms
                from runs
               where job_id is not null and due_at >= $1 and due_at < $2) l
      """;

  static final String SKIPPED = "select coalesce(sum(skipped_count), 0) as skipped from jobs";

  private BenchSql() {
  }
}
