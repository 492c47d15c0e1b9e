package io.castbus.scheduler;

/** Every statement of the scheduler module. */
final class SchedulerSql {

  static final String NEXT_DUE = "select min(next_run_at) as next from jobs where not paused";

  /** Due jobs, locked so that one replica fires each. */
  static final String LOCK_DUE = """
      select j.id, j.run_type, j.payload, j.priority, j.max_instances, j.trigger, j.next_run_at
        from jobs j
       where not j.paused and j.next_run_at <= $1
       order by j.next_run_at
       limit $2
       for update of j skip locked
      """;

  /**
   * The live runs of the locked jobs, counted in a statement of its own, after the lock: its snapshot sees a firing
   * that another replica committed while this one waited, which the locking statement's snapshot does not.
   */
  static final String ACTIVE_RUNS = """
      select job_id, count(*) as active from runs
       where job_id = any($1) and status in ('queued', 'running')
       group by job_id
      """;

  static final String ADVANCE = """
      update jobs j
         set next_run_at = u.next_run_at,
             last_fired_at = case when u.fired then u.due_at else j.last_fired_at end,
             skipped_count = j.skipped_count + case when u.fired then 0 else 1 end,
             last_skipped_at = case when u.fired then j.last_skipped_at else clock_timestamp() end,
             updated_at = clock_timestamp()
        from jsonb_to_recordset($1) as u(id text, next_run_at timestamptz, due_at timestamptz, fired boolean)
       where j.id = u.id
      """;

  private static final String JOB_VIEW = """
      select j.id, j.name, j.run_type, j.payload, j.priority, j.max_instances, j.trigger, j.paused, j.next_run_at,
             j.last_fired_at, j.default_trigger,
             j.skipped_count, j.last_skipped_at,
             lr.id as last_id, lr.status as last_status, lr.started_at as last_started, lr.finished_at as last_finished,
             st.completed, st.failed, st.avg_ms, st.p95_ms,
             (select count(*) from runs r where r.job_id = j.id) as total_runs,
             (select count(*) from runs r where r.job_id = j.id and r.status in ('queued', 'running')) as queue_depth,
             (select min(not_before) from runs r where r.job_id = j.id and r.status = 'queued') as oldest_queued
        from jobs j
        left join lateral (
          select id, status, started_at, finished_at from runs
           where job_id = j.id order by created_at desc limit 1) lr on true
        left join lateral (
          select count(*) filter (where status = 'completed') as completed,
                 count(*) filter (where status = 'failed') as failed,
                 avg(extract(epoch from finished_at - started_at) * 1000) filter (where status = 'completed') as avg_ms,
                 percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000)
                   filter (where status = 'completed') as p95_ms
            from (select status, started_at, finished_at from runs
                   where job_id = j.id and status in ('completed', 'failed')
                   order by created_at desc limit 100) recent) st on true
      """;

  static final String LIST_JOBS = JOB_VIEW + " order by j.created_at, j.id limit $1";

  static final String GET_JOB = JOB_VIEW + " where j.id = $1";

  static final String JOB_EXISTS = "select 1 from jobs where id = $1";

  static final String LOCK_JOB = """
      select id, run_type, payload, priority, trigger, paused, last_fired_at, clock_timestamp() as now
        from jobs where id = $1 for update
      """;

  static final String SET_TRIGGER = """
      update jobs set trigger = $2, trigger_customized = true, next_run_at = case when paused then null else $3::timestamptz end,
                      max_instances = coalesce($4::integer, max_instances), updated_at = now()
       where id = $1
      """;

  static final String SET_MAX_INSTANCES = "update jobs set max_instances = $2, updated_at = now() where id = $1";

  static final String PAUSE = "update jobs set paused = true, next_run_at = null, updated_at = now() where id = $1";

  static final String RESUME = "update jobs set paused = false, next_run_at = $2, updated_at = now() where id = $1";

  /** Deletes finished runs beyond the newest {@code $1} completed and {@code $2} failed or cancelled per type. */
  private SchedulerSql() {
  }
}
