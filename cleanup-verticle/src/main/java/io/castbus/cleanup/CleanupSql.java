package io.castbus.cleanup;

/** Every statement the cleanup module runs. */
final class CleanupSql {

  private CleanupSql() {
  }

  /**
   * Whether one of the feed's subscriptions keeps the episode (at rank {@code ranked.n} among its feed's downloaded
   * episodes, newest first): {@code all}, among the newest {@code max_episodes_to_keep}, or published within
   * {@code retention_days}. A file goes only when no subscription keeps it.
   */
  private static final String KEPT_BY_A_SUBSCRIPTION = """
      exists (select 1 from subscriptions s
               where s.podcast_id = e.podcast_id
                 and (s.retention_mode = 'all'
                      or (s.retention_mode = 'newest' and ranked.n <= s.max_episodes_to_keep)
                      or (s.retention_mode = 'days'
                          and coalesce(e.published_at, e.downloaded_at, e.created_at)
                              >= now() - make_interval(days => s.retention_days))))""";

  /** Downloaded episodes no subscription keeps; kept episodes never count. */
  static final String BEYOND_RETENTION = """
      select e.id, e.podcast_id, coalesce(p.title, p.rss_url) as podcast, e.title, e.file_path, e.bytes
        from (select id, row_number() over (partition by podcast_id
                                            order by published_at desc nulls last, id desc) as n
                from episodes
               where download_status = 'completed' and not keep) ranked
        join episodes e on e.id = ranked.id
        join podcasts p on p.id = e.podcast_id
       where not """ + " " + KEPT_BY_A_SUBSCRIPTION + """
         and not (e.id = any($1))
       order by e.podcast_id, ranked.n
       limit $2""";

  static final String MARK_DELETED = """
      update episodes
         set download_status = 'deleted', deleted_at = now(), file_path = null, updated_at = now()
       where id = any($1) and download_status = 'completed'""";

  /** Completed episodes after {@code $1}, with whether a subscription (or their keep flag) keeps them. */
  static final String COMPLETED_PAGE = """
      select e.id, e.file_path, (e.keep or """ + " " + KEPT_BY_A_SUBSCRIPTION + """
             ) as in_retention
        from (select id, row_number() over (partition by podcast_id
                                            order by published_at desc nulls last, id desc) as n
                from episodes
               where download_status = 'completed') ranked
        join episodes e on e.id = ranked.id
       where e.id > $1
       order by e.id
       limit $2""";

  static final String MARK_MISSING = """
      update episodes
         set download_status = $2, download_error = $3, file_path = null, updated_at = now()
       where id = $1 and download_status = 'completed'""";

  static final String OWNED_PATHS_IDS = """
      select id, file_path from episodes where file_path is not null and id > $1 order by id limit $2""";

  /** Podcast folders with a download queued or running: their partial files are in use. */
  static final String ACTIVE_DOWNLOAD_FOLDERS = """
      select distinct p.folder
        from runs r
        join episodes e on e.id = (r.payload ->> 'episode_id')::bigint
        join podcasts p on p.id = e.podcast_id
       where r.type = $1 and r.status in ('queued', 'running') and p.folder is not null""";

  static final String EXPIRE_BEYOND_KEPT = """
      with ranked as (
        select id, status,
               row_number() over (partition by type, status = 'completed' order by finished_at desc, id desc) as n
          from runs
         where status in ('completed', 'failed', 'cancelled')),
      doomed as (
        select id from ranked
         where (status = 'completed' and n > $1) or (status <> 'completed' and n > $2)
         limit $3)
      delete from runs where id in (select id from doomed)""";

  static final String EXPIRE_OLDER_THAN = """
      delete from runs where id in (
        select id from runs
         where status in ('completed', 'failed', 'cancelled')
           and finished_at < now() - make_interval(days => $1)
         limit $2)""";

  /** The application's tables (not Flyway's), each with the tables it references, for backup and restore order. */
  static final String PEPPER = "select value from auth_secrets where name = 'key_pepper'";

  static final String RESTORE_PEPPER = """
      insert into auth_secrets (name, value) values ('key_pepper', ?)
      on conflict (name) do update set value = excluded.value""";

  static final String TABLES = """
      select c.relname as name,
             coalesce(array_agg(distinct r.relname) filter (where r.relname is not null and r.relname <> c.relname),
                      '{}') as refs
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
        left join pg_constraint k on k.conrelid = c.oid and k.contype = 'f'
        left join pg_class r on r.oid = k.confrelid
       where c.relkind = 'r' and c.relname <> 'flyway_schema_history'
       group by c.relname
       order by c.relname""";

  static final String COLUMNS = """
      select column_name from information_schema.columns
       where table_schema = current_schema() and table_name = ?
       order by ordinal_position""";

  /** Columns numbered by a sequence: their own (serial), or one another table's ids come from too. */
  static final String SERIAL_COLUMNS = """
      select table_name, column_name,
             coalesce(pg_get_serial_sequence(quote_ident(table_name), column_name),
                      substring(column_default from 'nextval\\(''([^'']+)''')) as seq
        from information_schema.columns
       where table_schema = current_schema() and column_default like 'nextval(%'""";

  static final String SCHEMA_VERSION = """
      select max(version::int) from flyway_schema_history where success and version is not null""";
}
