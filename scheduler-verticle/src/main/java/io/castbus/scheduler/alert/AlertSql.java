package io.castbus.scheduler.alert;

/** Every statement of the alerts: the conditions watched, and the alert log that de-duplicates deliveries. */
final class AlertSql {

  /**
   * Records an occurrence and says whether to deliver it now: the first time, or when the last delivery of the same
   * key is older than {@code $7} seconds. An occurrence already recorded (same {@code ref}) returns no row.
   */
  static final String RECORD = """
      insert into alerts as a (key, kind, ref, subject, message, metadata, last_sent_at)
      values ($1, $2, $3, $4, $5, $6, now())
      on conflict (key) do update
         set count = a.count + 1, last_at = now(), ref = excluded.ref, subject = excluded.subject,
             message = excluded.message, metadata = excluded.metadata,
             last_sent_at = case when a.last_sent_at <= now() - make_interval(secs => $7) then now()
                                 else a.last_sent_at end
       where excluded.ref is null or a.ref is distinct from excluded.ref
      returning (last_sent_at = now()) as deliver, count
      """;

  static final String DELIVERED = "update alerts set delivery = $2 where key = $1";

  static final String LIST = """
      select key, kind, subject, message, metadata, count, first_at, last_at, last_sent_at, delivery
        from alerts order by last_at desc limit $1
      """;

  /** Running runs far past their type's usual duration: {@code $1} × its p95, at least {@code $2} s. */
  static final String OVERRUNNING = """
      select r.id, r.type, r.job_id, r.worker_id, r.started_at,
             extract(epoch from clock_timestamp() - r.started_at) as running_s, h.p95_s
        from runs r
        left join lateral (
          select percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at)) as p95_s
            from (select started_at, finished_at from runs x
                   where x.type = r.type and x.status = 'completed' and x.finished_at is not null
                   order by x.finished_at desc limit 100) recent) h on true
       where r.status = 'running'
         and extract(epoch from clock_timestamp() - r.started_at) > greatest(coalesce(h.p95_s * $1, $3), $2)
       order by r.started_at
       limit 100
      """;

  /** Types with runs due for longer than {@code $1} s and still queued. */
  static final String BACKLOG = """
      select type, count(*) as queued, min(not_before) as oldest
        from runs
       where status = 'queued' and not_before < now() - make_interval(secs => $1)
       group by type
       order by oldest
       limit 100
      """;

  /** Types with runs waiting for longer than {@code $1} s that no worker seen in the last {@code $1} s serves. */
  static final String NO_WORKER = """
      select q.type, q.queued, w.last_seen, w.host
        from (select type, count(*) as queued from runs
               where status = 'queued' and not_before <= now() and created_at < now() - make_interval(secs => $1)
               group by type limit 100) q
        left join lateral (
          select last_seen, host from workers where q.type = any(types) order by last_seen desc limit 1) w on true
       where w.last_seen is null or w.last_seen < now() - make_interval(secs => $1)
      """;

  static final String PRUNE_WORKERS = "delete from workers where last_seen < now() - interval '1 day'";

  private AlertSql() {
  }

  static final String USER_WEBHOOK = "select webhook_url from user_notifications where user_id = $1";

  /** A failed run ({@code $1}) whose owner asked for {@code run_failed} ({@code $3}), unless a delivery itself ($2). */
  static final String FAILED_RUN_FOR_WEBHOOK = """
      select r.type, r.job_id, r.owner, r.owner_id, r.error
        from runs r join user_notifications n on n.user_id = r.owner_id
       where r.id = $1 and r.status = 'failed' and r.type <> $2 and $3 = any(n.events)""";
}
