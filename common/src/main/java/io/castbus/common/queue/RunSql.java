package io.castbus.common.queue;

/** Every statement of the run queue. Batches travel as one jsonb document to keep each one a single round trip. */
final class RunSql {

  /**
   * A run that an active one with its dedupe key already stands for, or a job's firing whose due time already has
   * a run (another replica fired it), is not inserted: its id is missing from what this returns.
   */
  static final String ENQUEUE = """
      insert into runs (id, type, job_id, parent_id, dedupe_key, payload, owner, owner_id, priority, not_before,
                        due_at)
      select n.id, n.type, n.job_id, n.parent_id, n.dedupe_key, coalesce(n.payload, '{}'), n.owner, n.owner_id,
             n.priority, coalesce(n.not_before, now()), n.due_at
        from jsonb_to_recordset($1) as n(id uuid, type text, job_id text, parent_id uuid, dedupe_key text,
                                         payload jsonb, owner text, owner_id bigint, priority smallint,
                                         not_before timestamptz, due_at timestamptz)
      on conflict do nothing
      returning id
      """;

  /** Serializes debounced enqueues of one run type ({@code $1}). */
  static final String DEBOUNCE_LOCK = "select pg_advisory_xact_lock(hashtext('castbus.debounce.' || $1))";

  /**
   * The queued run of type {@code $1} waits until {@code $3} seconds from now (never less than it already waits);
   * without one, a run {@code $2} with payload {@code $4} is queued for then. Returns the run's id.
   */
  static final String DEBOUNCE = """
      with pushed as (
        update runs set not_before = greatest(not_before, now() + make_interval(secs => $3)), updated_at = now()
         where type = $1 and status = 'queued' and not cancel_requested
        returning id),
      created as (
        insert into runs (id, type, payload, priority, not_before)
        select $2, $1, $4, $5, now() + make_interval(secs => $3)
         where not exists (select 1 from pushed)
        returning id)
      select id from pushed union all select id from created
      """;

  /**
   * A new run like the failed or cancelled run {@code $1}: same type, job, payload, owner, priority and dedupe key,
   * naming it in {@code retry_of}. Nothing when {@code $1} did not end so, or when an active run has its dedupe key.
   */
  static final String RETRY = """
      insert into runs (id, type, job_id, dedupe_key, payload, owner, owner_id, priority, retry_of)
      select $2, type, job_id, dedupe_key, payload, owner, owner_id, priority, id
        from runs where id = $1 and status in ('failed', 'cancelled')
      on conflict do nothing
      returning id, type""";

  /** The active run with the same type and dedupe key as run {@code $1}. */
  static final String ACTIVE_LIKE = """
      select a.id from runs r join runs a on a.type = r.type and a.dedupe_key = r.dedupe_key
       where r.id = $1 and a.status in ('queued', 'running') limit 1""";

  static final String ACTIVE_BY_DEDUPE_KEY = """
      select id from runs where type = $1 and dedupe_key = $2 and status in ('queued', 'running')
      """;

  private static final String CLAIM_TEMPLATE = """
      update runs r
         set status = 'running', worker_id = $2, attempts = r.attempts + 1, max_attempts = $5,
             lease_until = clock_timestamp() + make_interval(secs => $4),
             started_at = clock_timestamp(), updated_at = clock_timestamp()
       where r.id = any(array(
               select id from runs
                where status = 'queued' and type = $1 and not_before <= now() and not cancel_requested
                order by priority, not_before, id
                limit %s
                for update skip locked))
      returning r.id, r.type, r.job_id, r.parent_id, r.payload, r.owner, r.owner_id, r.priority, r.attempts,
                r.max_attempts,
                coalesce(r.job_id, (select p.job_id from runs p where p.id = r.parent_id)) as fired_by
      """;

  static final String CLAIM = CLAIM_TEMPLATE.formatted("$3");

  /** Claims under a cluster-wide cap; run after {@link #CLAIM_LOCK} in the same transaction. */
  static final String CLAIM_CAPPED = CLAIM_TEMPLATE.formatted(
      "least($3, greatest(0, $6 - (select count(*) from runs where type = $1 and status = 'running')))");

  static final String CLAIM_LOCK = "select pg_advisory_xact_lock(hashtext('castbus.claim.' || $1))";

  /** Completes runs ({@code $1}) held by worker {@code $2} and records their last events ({@code $3}), in one statement. */
  static final String COMPLETE = """
      with ev as (
        insert into run_events (run_id, at, level, context, message, metadata)
        select e.run_id, e.at, e.level, e.context, e.message, e.metadata
          from jsonb_to_recordset($3) as e(run_id uuid, at timestamptz, level text, context text, message text,
                                           metadata jsonb)
         where exists (select 1 from runs where runs.id = e.run_id))
      update runs r
         set status = 'completed', result = c.result, finished_at = clock_timestamp(), updated_at = clock_timestamp(),
             worker_id = null, lease_until = null, progress = coalesce(c.progress, r.progress),
             output = case when c.lines is null then r.output
                      else (r.output || c.lines)[greatest(1, cardinality(r.output || c.lines) - 499):] end
        from jsonb_to_recordset($1) as c(id uuid, attempt integer, result jsonb, progress jsonb, lines text[])
       where r.id = c.id and r.attempts = c.attempt and r.worker_id = $2 and r.status = 'running'
      returning r.id, r.type, r.job_id, r.started_at, r.finished_at
      """;

  /** Ends one attempt: back to the queue after a wait, or failed / cancelled for good, with an event. */
  static final String END_ATTEMPT = """
      with u as (
        update runs
           set status = case when $3 = 'queued' and cancel_requested then 'cancelled' else $3 end,
               error = $5, worker_id = null, lease_until = null, updated_at = clock_timestamp(),
               not_before = clock_timestamp() + make_interval(secs => $4),
               finished_at = case when $3 = 'queued' and not cancel_requested then null else clock_timestamp() end
         where id = $1 and attempts = $8 and worker_id = $2 and status = 'running'
        returning id, type, job_id, status),
      ev as (
        insert into run_events (run_id, level, context, message, metadata)
        select u.id, $6, 'queue', $7, $5 from u)
      select id, type, job_id, status from u
      """;

  /** Back to the queue after a wait, the attempt not counted: the run could not start yet. */
  static final String POSTPONE = """
      update runs
         set status = case when cancel_requested then 'cancelled' else 'queued' end,
             finished_at = case when cancel_requested then clock_timestamp() end,
             worker_id = null, lease_until = null, attempts = greatest(attempts - 1, 0),
             not_before = clock_timestamp() + make_interval(secs => $3), updated_at = clock_timestamp(),
             progress = jsonb_build_object('current', 0, 'total', null, 'message', $4::text)
       where id = $1 and attempts = $5 and worker_id = $2 and status = 'running'
      returning id, type, job_id, status
      """;

  static final String FLUSH = """
      update runs r
         set progress = coalesce(c.progress, r.progress), updated_at = clock_timestamp(),
             output = case when c.lines is null then r.output
                      else (r.output || c.lines)[greatest(1, cardinality(r.output || c.lines) - 499):] end
        from jsonb_to_recordset($1) as c(id uuid, attempt integer, progress jsonb, lines text[])
       where r.id = c.id and r.attempts = c.attempt and r.worker_id = $2 and r.status = 'running'
      """;

  static final String INSERT_EVENTS = """
      insert into run_events (run_id, at, level, context, message, metadata)
      select e.run_id, e.at, e.level, e.context, e.message, e.metadata
        from jsonb_to_recordset($1) as e(run_id uuid, at timestamptz, level text, context text, message text,
                                         metadata jsonb)
       where exists (select 1 from runs where runs.id = e.run_id)
      """;

  /**
   * Renews the leases of the claims this worker is executing or still completing ($3: {@code [{id, attempt}]}),
   * and only those: a row held under this worker's id by no claim it knows (an orphan) keeps its lease to expiry.
   */
  static final String RENEW_LEASES = """
      update runs r set lease_until = clock_timestamp() + make_interval(secs => $2)
        from jsonb_to_recordset($3) as c(id uuid, attempt integer)
       where r.id = c.id and r.attempts = c.attempt and r.worker_id = $1 and r.status = 'running'
      returning r.id, r.attempts, r.cancel_requested
      """;

  static final String HEARTBEAT = """
      insert into workers (id, host, types) values ($1, $2, $3)
      on conflict (id) do update set last_seen = now(), types = excluded.types
      """;

  static final String FORGET_WORKER = "delete from workers where id = $1";

  static final String HAND_BACK = """
      with u as (
        update runs
           set status = case when cancel_requested then 'cancelled' else 'queued' end,
               finished_at = case when cancel_requested then clock_timestamp() end,
               worker_id = null, lease_until = null, attempts = greatest(attempts - 1, 0),
               not_before = now(), updated_at = clock_timestamp()
         where worker_id = $1 and status = 'running'
        returning id, type, job_id, status),
      ev as (
        insert into run_events (run_id, level, context, message, metadata)
        select u.id, 'info', 'queue', case when u.status = 'cancelled'
                 then 'cancelled: worker ' || $1 || ' is shutting down and a cancel was asked for'
                 else 'handed back to the queue: worker ' || $1 || ' is shutting down' end,
               jsonb_build_object('worker', $1) from u)
      select id, type, job_id, status from u
      """;

  static final String RECLAIM_EXPIRED = """
      with expired as (
        select id, worker_id from runs
         where status = 'running' and lease_until < clock_timestamp()
         order by lease_until
         limit $1
         for update skip locked),
      u as (
        update runs r
           set status = case when r.cancel_requested then 'cancelled'
                             when r.attempts >= r.max_attempts then 'failed' else 'queued' end,
               error = case when r.cancel_requested then r.error
                            when r.attempts >= r.max_attempts then jsonb_build_object('code', 'stalled',
                                 'outcome', 'unknown', 'attempt', r.attempts, 'message',
                                 'worker ' || e.worker_id || ' stopped renewing its lease during the last attempt ('
                                 || r.attempts || ' of ' || r.max_attempts || '); that attempt''s outcome was never '
                                 || 'recorded: it may have succeeded in a process that ended before writing its '
                                 || 'completion')
                            else jsonb_build_object('code', 'stalled', 'attempt', r.attempts, 'message',
                                 'worker ' || e.worker_id || ' stopped renewing its lease') end,
               finished_at = case when r.cancel_requested or r.attempts >= r.max_attempts
                                  then clock_timestamp() end,
               not_before = clock_timestamp(), worker_id = null, lease_until = null, updated_at = clock_timestamp()
          from expired e
         where r.id = e.id
        returning r.id, r.type, r.job_id, r.status, r.attempts, r.max_attempts, e.worker_id),
      ev as (
        insert into run_events (run_id, level, context, message, metadata)
        select u.id, case when u.status = 'failed' then 'error' else 'warn' end, 'queue',
               'stalled: worker ' || u.worker_id || ' stopped renewing its lease; run is now ' || u.status
               || case when u.status = 'failed'
                       then ' (the outcome of its last attempt is unknown: it was never recorded)' else '' end,
               jsonb_build_object('worker', u.worker_id, 'attempts', u.attempts, 'status', u.status)
          from u)
      select id, type, job_id, status from u
      """;

  static final String MARK_CANCELLED = """
      with u as (
        update runs
           set status = 'cancelled', worker_id = null, lease_until = null, finished_at = clock_timestamp(),
               updated_at = clock_timestamp(), error = jsonb_build_object('code', 'cancelled', 'message', $3::text)
         where id = $1 and attempts = $4 and worker_id = $2 and status = 'running'
        returning id, type, job_id),
      ev as (
        insert into run_events (run_id, level, context, message)
        select u.id, 'info', 'queue', 'cancelled while running: ' || $3 from u)
      select id, type, job_id from u
      """;

  /**
   * A cancel request, in one statement whatever the run's state: a queued run is cancelled at once, a running one
   * is flagged for its worker; the row is locked first, so a run that moves between states meanwhile is seen as it
   * is once the lock is granted. Answers the state found ({@code found}, none for an unknown run) and whether it
   * changed anything.
   */
  static final String REQUEST_CANCEL = """
      with t as (select id, status from runs where id = $1 for update),
      u as (
        update runs r
           set cancel_requested = true, updated_at = clock_timestamp(),
               status = case when t.status = 'queued' then 'cancelled' else r.status end,
               finished_at = case when t.status = 'queued' then clock_timestamp() else r.finished_at end,
               error = case when t.status = 'queued'
                            then jsonb_build_object('code', 'cancelled', 'message', 'cancelled before it started')
                            else r.error end
          from t
         where r.id = t.id and t.status in ('queued', 'running')
        returning r.id, r.type, r.job_id),
      ev as (
        insert into run_events (run_id, level, context, message)
        select u.id, 'info', 'queue', 'cancelled before it started' from u join t on t.id = u.id
         where t.status = 'queued')
      select t.status as found, u.type, u.job_id from t left join u on u.id = t.id
      """;

  static final String RUN_COLUMNS = """
      id, type, job_id, parent_id, payload, owner, owner_id, priority, status, attempts, max_attempts, not_before, due_at,
      worker_id, cancel_requested, progress, output, result, error, created_at, started_at, finished_at, retry_of
      """;

  static final String GET = "select " + RUN_COLUMNS + " from runs where id = $1";

  /** Newest first, keyset-paged on (created_at, id); every filter optional. */
  static final String LIST = "select " + RUN_COLUMNS.replace("output, ", "") + """
        from runs
       where ($1::text is null or status = $1)
         and ($2::text is null or job_id = $2)
         and ($3::text is null or type = $3)
         and ($4::timestamptz is null or (created_at, id) < ($4, $5::uuid))
         and ($7::bigint is null or owner_id = $7)
       order by created_at desc, id desc
       limit $6
      """;

  /** Runs changed after $1 (newest $2, then oldest first), of owner id $3 unless null: a live stream's catch-up. */
  static final String CHANGED_SINCE = """
      select * from (
        select id, type, job_id, status, progress, updated_at
          from runs
         where updated_at > $1 and ($3::bigint is null or owner_id = $3)
         order by updated_at desc, id desc
         limit $2) newest
       order by updated_at, id
      """;

  static final String EVENTS = """
      select id, at, level, context, message, metadata from run_events
       where run_id = $1 and id > $2
       order by id
       limit $3
      """;

  static final String DELETE_TERMINAL = """
      delete from runs where id = $1 and status in ('completed', 'failed', 'cancelled') returning id
      """;

  static final String DEPTH = """
      select type, status, count(*) as runs from runs where status in ('queued', 'running')
       group by type, status order by type limit 1000
      """;

  static final String STATUS_OF = "select status from runs where id = $1";

  private RunSql() {
  }
}
