package io.castbus.common.queue;

/** Every statement of the run queue. Batches travel as one jsonb document to keep each one a single round trip. */
final class RunSql {

  /**
   * A batch's run {@code r}, matched by id to its claim {@code c}, is still held by that claim: running, under this
   * worker ({@code %s}), in the same attempt. The status test is written so that it cannot drive the plan: as a
   * bare {@code r.status = 'running'} the planner, whose statistics rarely see many runs running (they are taken
   * when the queue is drained, or full), walked every running run through a status index, rescanning the batch for
   * each, instead of looking the batch's runs up by id — 20 to 50 ms a completion where it takes well under one.
   */
  private static final String HELD =
      " and r.attempts = c.attempt and r.worker_id = %s and (r.status = 'running') is true\n";

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

  /**
   * {@code %1$s}: the most runs to claim; {@code %2$s}: what in the type's steered settings stops this claim (a
   * paused type is never claimed).
   */
  private static final String CLAIM_TEMPLATE = """
      update runs r
         set status = 'running', worker_id = $2, attempts = r.attempts + 1, max_attempts = $5,
             lease_until = clock_timestamp() + make_interval(secs => $4),
             started_at = clock_timestamp(), updated_at = clock_timestamp()
       where r.id = any(array(
               select id from runs
                where status = 'queued' and type = $1 and not_before <= now() and not cancel_requested
                  and not exists (select 1 from run_types s where s.type = $1 and (%2$s))
                order by priority, not_before, id
                limit %1$s
                for update skip locked))
      returning r.id, r.type, r.job_id, r.parent_id, r.payload, r.owner, r.owner_id, r.priority, r.attempts,
                r.max_attempts,
                coalesce(r.job_id, (select p.job_id from runs p where p.id = r.parent_id)) as fired_by
      """;

  /**
   * Claims of a type with no cap: none while it is paused or has a cap set at run time (the worker then learns
   * the cap and claims under it).
   */
  static final String CLAIM = CLAIM_TEMPLATE.formatted("$3", "s.paused or s.concurrency is not null");

  /**
   * Claims under a cluster-wide cap (the one set at run time, else {@code $6}); run after {@link #CLAIM_LOCK} in
   * the same transaction.
   */
  static final String CLAIM_CAPPED = CLAIM_TEMPLATE.formatted("""
      least($3, greatest(0, coalesce((select concurrency from run_types where type = $1), $6)
                            - (select count(*) from runs where type = $1 and status = 'running')))""", "s.paused");

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
       where r.id = c.id""" + HELD.formatted("$2") + """
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
       where r.id = c.id""" + HELD.formatted("$2") + """
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
       where r.id = c.id""" + HELD.formatted("$1") + """
      returning r.id, r.attempts, r.cancel_requested
      """;

  static final String HEARTBEAT = """
      insert into workers (id, host, types, type_options) values ($1, $2, $3, $4)
      on conflict (id) do update set last_seen = now(), types = excluded.types, type_options = excluded.type_options
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
  /** What a cancel request sets on a run {@code r} found as {@code t}: a queued one ends now, a running one is flagged. */
  private static final String CANCEL_SET = """
         set cancel_requested = true, updated_at = clock_timestamp(),
             status = case when t.status = 'queued' then 'cancelled' else r.status end,
             finished_at = case when t.status = 'queued' then clock_timestamp() else r.finished_at end,
             error = case when t.status = 'queued'
                          then jsonb_build_object('code', 'cancelled', 'message', 'cancelled before it started')
                          else r.error end""";

  static final String REQUEST_CANCEL = """
      with t as (select id, status from runs where id = $1 for update),
      u as (
        update runs r
        %s
          from t
         where r.id = t.id and t.status in ('queued', 'running')
        returning r.id, r.type, r.job_id),
      ev as (
        insert into run_events (run_id, level, context, message)
        select u.id, 'info', 'queue', 'cancelled before it started' from u join t on t.id = u.id
         where t.status = 'queued')
      select t.status as found, u.type, u.job_id from t left join u on u.id = t.id
      """.formatted(CANCEL_SET);

  /**
   * What a run works on, in words: the title of the episode its payload names (with its podcast's), or of the
   * podcast; null for a run naming neither, or one whose episode or podcast is gone. Ids that are not numbers
   * name nothing.
   */
  private static final String SUBJECT = """
      case when runs.payload ->> 'episode_id' ~ '^[0-9]{1,18}$' then
             (select coalesce(e.title, 'episode ' || e.id) || coalesce(' · ' || p.title, '')
                from episodes e join podcasts p on p.id = e.podcast_id
               where e.id = (runs.payload ->> 'episode_id')::bigint)
           when runs.payload ->> 'podcast_id' ~ '^[0-9]{1,18}$' then
             (select p.title from podcasts p where p.id = (runs.payload ->> 'podcast_id')::bigint)
      end as subject""";

  static final String RUN_COLUMNS = """
      id, type, job_id, parent_id, payload, owner, owner_id, priority, status, attempts, max_attempts, not_before, due_at,
      worker_id, cancel_requested, progress, output, result, error, created_at, started_at, finished_at, retry_of,
      """ + SUBJECT + "\n";

  static final String GET = "select " + RUN_COLUMNS + " from runs where id = $1";

  /**
   * Newest first, keyset-paged on (created_at, id): {@code %1$s} is a {@link RunSearch#where} clause (with the
   * cursor's condition), {@code %2$s} the limit's placeholder.
   */
  static final String LIST = "select " + RUN_COLUMNS.replace("output, ", "") + """
        from runs
       where %1$s
       order by created_at desc, id desc
       limit $%2$s
      """;

  static final String AFTER_CURSOR = "(created_at, id) < ($%d, $%d::uuid)";

  // The conditions of a runs filter (RunSearch), each formatted with its placeholders' numbers.

  static final String BY_STATUS = "status = $%d";
  static final String BY_TYPE = "type = $%d";
  static final String BY_JOB = "job_id = $%d";
  static final String BY_OWNER = "owner_id = $%d";
  static final String CREATED_AFTER = "created_at > $%d";
  static final String CREATED_BEFORE = "created_at < $%d";
  static final String BY_IDS = "id = any($%d::uuid[])";
  static final String BY_EPISODE = "(payload ? 'episode_id' and payload ->> 'episode_id' = $%d)";

  /** A podcast's runs: those naming it, and those naming one of its episodes (its id as text, then as a number). */
  static final String BY_PODCAST = """
      ((payload ? 'podcast_id' and payload ->> 'podcast_id' = $%1$d)
        or (payload ? 'episode_id' and payload ->> 'episode_id'
            = any(array(select id::text from episodes where podcast_id = $%2$d))))""";

  /**
   * The ids of the runs a word matches: its error message holds it, its podcast's or episode's title does, or its
   * payload names it as an id. {@code %1$s}: the other conditions; {@code %2$d}: the word as a {@code like}
   * pattern; {@code %3$d}: the word; {@code %4$s}: each branch's tail ({@link #PAGE_TAIL} for a page, nothing for a
   * bulk action); {@code %5$s}: {@link #ID_BRANCH} or nothing.
   *
   * <p>Each way of matching is planned on its own, and for a page cut to the page: the error message's branch
   * walks the newest runs or the trigram index as its statistics say; the title and id branches, which match few
   * runs, gather them first ({@code offset 0}) through one scan of their index for every id at once, so a page
   * never scans the whole table for a word that is rare.
   */
  static final String WORD_MATCHES = """
      (select id from runs where %1$s and error is not null and error ->> 'message' ilike $%2$d %4$s)
      union all
      (select id from (select id, created_at from runs where %1$s and payload ? 'podcast_id'
          and payload ->> 'podcast_id' = any(array(select id::text from podcasts where title ilike $%2$d
                                                 union all select $%3$d)) offset 0) p %4$s)
      union all
      (select id from (select id, created_at from runs where %1$s and payload ? 'episode_id'
          and payload ->> 'episode_id' = any(array(select id::text from episodes where title ilike $%2$d
                                                 union all select $%3$d)) offset 0) e %4$s)
      %5$s""";

  /** {@link #WORD_MATCHES}'s branch for a word that is a run id ({@code %1$s}: the other conditions, {@code %2$d}: the id). */
  static final String ID_BRANCH = "union all (select id from runs where %1$s and id = $%2$d)";

  /** A branch's tail for a page: the newest {@code $%d}. */
  static final String PAGE_TAIL = "order by created_at desc, id desc limit $%d";

  /** Runs among {@code %1$s} (a list of ids), newest first, the first {@code $%2$d}. */
  static final String LIST_AMONG = "select " + RUN_COLUMNS.replace("output, ", "") + """
        from runs
       where id in (%1$s)
       order by created_at desc, id desc
       limit $%2$d
      """;

  /** Plans each search for its own values: a plan cached for one word can be a full scan for another. */
  static final String CUSTOM_PLANS = "set local plan_cache_mode = force_custom_plan";

  /** The ids of the runs a bulk action matches, at most {@code $1} ({@code %s}: a {@link RunSearch#where} clause). */
  static final String BULK_MATCH = "select id from runs where %s order by id limit $1";

  static final String ACTION_DONE = "select done from run_actions where id = $1";

  static final String FINISH_ACTION = """
      update run_actions set state = 'finished', finished_at = clock_timestamp() where id = $1
      returning id, actor, action, target, matched, done, skipped, state, started_at, finished_at
      """;

  /**
   * The first key of the session lock a bulk action holds while it runs (taken by {@link #START_ACTION}), the
   * second being the action's id: a lock PostgreSQL lets go of when the holding process's connection ends,
   * however it ends.
   */
  private static final int ACTION_LOCK = 0x43617374;

  /** The second key of an action's lock: its id, folded into an int. */
  private static final String ACTION_KEY = "(%s %% 2147483647)::int";

  /** Starts an action's row and takes its lock in one statement, so no one sees it running and not held. */
  static final String START_ACTION = """
      with a as (
        insert into run_actions (actor, actor_id, action, target, matched) values ($1, $2, $3, $4, $5) returning id)
      select id, pg_advisory_lock(%d, %s) from a
      """.formatted(ACTION_LOCK, ACTION_KEY.formatted("id"));

  static final String RELEASE_ACTION = "select pg_advisory_unlock(%d, %s)".formatted(ACTION_LOCK,
      ACTION_KEY.formatted("$1::bigint"));

  /**
   * Bulk actions and run-type changes, newest first; an action still {@code running} whose lock no session holds
   * any more (its process died) is {@code interrupted}.
   */
  static final String LIST_ACTIONS = """
      with held as (
        select objid from pg_locks
         where locktype = 'advisory' and granted and objsubid = 2 and classid = %d::oid
           and database = (select oid from pg_database where datname = current_database()))
      select a.id, a.actor, a.action, a.target, a.matched, a.done, a.skipped, a.started_at, a.finished_at,
             case when a.state = 'running' and %s::oid not in (select objid from held) then 'interrupted'
                  else a.state end as state
        from run_actions a
       where ($1::bigint is null or a.actor_id = $1)
       order by a.started_at desc, a.id desc limit $2
      """.formatted(ACTION_LOCK, ACTION_KEY.formatted("a.id"));

  /**
   * How a batch ({@code %s}: the statement's rows acted on) counts itself in its action's row ({@code $2}), as
   * done and as skipped out of the batch's size ({@code $3}).
   */
  private static final String COUNT_BATCH = """
      a as (
        update run_actions set done = done + (select count(*) from %1$s),
               skipped = skipped + $3 - (select count(*) from %1$s)
         where id = $2)""";

  /**
   * One batch of a bulk retry: a new run ({@code $4}: their ids, in order) like each failed or cancelled run of
   * {@code $1} that has not been retried yet; the action ({@code $2}) counts what it did and skipped ({@code $3}:
   * the batch's size) in the same statement, so a batch is all done or not at all.
   */
  static final String BULK_RETRY = """
      with r as (
        insert into runs (id, type, job_id, dedupe_key, payload, owner, owner_id, priority, retry_of)
        select b.new_id, o.type, o.job_id, o.dedupe_key, o.payload, o.owner, o.owner_id, o.priority, o.id
          from unnest($1::uuid[], $4::uuid[]) as b(old_id, new_id) join runs o on o.id = b.old_id
         where o.status in ('failed', 'cancelled') and not exists (select 1 from runs n where n.retry_of = o.id)
        on conflict do nothing
        returning id, type),
      %1$s
      select id, type, null::text as job_id, null::text as found from r
      """.formatted(COUNT_BATCH.formatted("r"));

  /** One batch of a bulk cancel: queued runs of {@code $1} end now, running ones are asked to stop. */
  static final String BULK_CANCEL = """
      with t as (
        select id, status from runs where id = any($1::uuid[]) and status in ('queued', 'running') for update),
      u as (
        update runs r
        %s
          from t
         where r.id = t.id and not r.cancel_requested
        returning r.id, r.type, r.job_id, t.status as found),
      ev as (
        insert into run_events (run_id, level, context, message, metadata)
        select u.id, 'info', 'queue', case when u.found = 'queued' then 'cancelled before it started'
                                           else 'cancel requested' end || ' (bulk action by ' || $4 || ')',
               jsonb_build_object('action_id', $2::bigint) from u),
      %2$s
      select id, type, job_id, found from u
      """.formatted(CANCEL_SET, COUNT_BATCH.formatted("u"));

  /** One batch of a bulk delete: the finished runs of {@code $1}, with their events. */
  static final String BULK_DELETE = """
      with d as (
        delete from runs where id = any($1::uuid[]) and status in ('completed', 'failed', 'cancelled')
        returning id, type),
      %1$s
      select id, type, null::text as job_id, null::text as found from d
      """.formatted(COUNT_BATCH.formatted("d"));

  /** A live worker: one that renewed its heartbeat within {@code $1} seconds. */
  private static final String LIVE_WORKERS =
      "select id, host, types, type_options, last_seen from workers where last_seen > now() - make_interval(secs => $1)";

  /**
   * Every run type a live worker serves, that has queued or running runs, or that was steered: its counts, its
   * settings and its workers ({@code $2}: one type, or null for all).
   */
  static final String RUN_TYPES = """
      with live as (%s),
      known as (
        select unnest(types) as type from live
        union select type from runs where status = 'queued'
        union select type from runs where status = 'running'
        union select type from run_types)
      select k.type,
             (select count(*) from runs where type = k.type and status = 'queued') as queued,
             (select count(*) from runs where type = k.type and status = 'running') as running,
             (select count(*) from runs where type = k.type and status = 'failed'
                 and finished_at > now() - interval '24 hours') as failed_24h,
             coalesce(s.paused, false) as paused, s.concurrency as cap, s.updated_at, s.updated_by,
             (select max((w.type_options -> k.type ->> 'cluster_concurrency')::integer) from live w
               where k.type = any(w.types)) as default_cap,
             (select coalesce(jsonb_agg(jsonb_build_object('id', w.id, 'host', w.host,
                        'concurrency', (w.type_options -> k.type ->> 'concurrency')::integer, 'last_seen', w.last_seen)
                        order by w.id), '[]')
                from live w where k.type = any(w.types)) as workers
        from known k left join run_types s on s.type = k.type
       where $2::text is null or k.type = $2
       order by k.type
      """.formatted(LIVE_WORKERS);

  static final String SET_PAUSED = """
      insert into run_types (type, paused, updated_by) values ($1, $2, $3)
      on conflict (type) do update set paused = excluded.paused, updated_at = now(), updated_by = excluded.updated_by
      """;

  static final String SET_CAP = """
      insert into run_types (type, concurrency, updated_by) values ($1, $2, $3)
      on conflict (type) do update
        set concurrency = excluded.concurrency, updated_at = now(), updated_by = excluded.updated_by
      """;

  /** The steered settings of the run types {@code $1}: what a worker claims by. */
  static final String TYPE_SETTINGS = "select type, paused, concurrency from run_types where type = any($1)";

  static final String RECORD_ACTION = """
      insert into run_actions (actor, actor_id, action, target, matched, done, state, finished_at)
      values ($1, $2, $3, $4, 1, 1, 'finished', clock_timestamp())
      """;

  /**
   * The last 100 finished runs of a job or a run type ({@code %s}: {@code job_id} or {@code type}, equal to
   * {@code $1}), oldest first, with how long each took.
   */
  static final String RECENT_DURATIONS = """
      select * from (
        select id, status, started_at, finished_at,
               round(extract(epoch from finished_at - started_at) * 1000)::bigint as duration_ms
          from runs
         where %s = $1 and status in ('completed', 'failed', 'cancelled') and finished_at is not null
         order by finished_at desc limit 100) recent
       order by finished_at
      """;

  /** Outcomes per hour over the last 24 hours of a job or a run type (as in {@link #RECENT_DURATIONS}). */
  static final String HOURLY_OUTCOMES = """
      select h.hour, coalesce(c.completed, 0) as completed, coalesce(c.failed, 0) as failed,
             coalesce(c.cancelled, 0) as cancelled
        from generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()),
                             interval '1 hour') as h(hour)
        left join (
          select date_trunc('hour', finished_at) as hour,
                 count(*) filter (where status = 'completed') as completed,
                 count(*) filter (where status = 'failed') as failed,
                 count(*) filter (where status = 'cancelled') as cancelled
            from runs
           where %s = $1 and status in ('completed', 'failed', 'cancelled')
             and finished_at >= date_trunc('hour', now()) - interval '23 hours'
           group by 1) c on c.hour = h.hour
       order by h.hour
      """;

  static final String JOB_EXISTS = "select 1 from jobs where id = $1";

  /** A run type that has runs, a worker serving it, or settings. */
  static final String TYPE_EXISTS = """
      select 1 where exists (select 1 from runs where type = $1)
                  or exists (select 1 from workers where $1 = any(types))
                  or exists (select 1 from run_types where type = $1)""";

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
