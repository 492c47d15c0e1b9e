package io.castbus.downloads;

/** Every statement the downloads module runs. */
final class DownloadsSql {

  private DownloadsSql() {
  }

  static final String EPISODE = """
      select e.id, e.podcast_id, e.title, e.published_at, e.enclosure_url, e.enclosure_type, e.download_status,
             e.file_path, e.download_target, e.download_etag, e.download_last_modified, e.download_length,
             e.download_run, e.guid, e.description, e.image_url, e.episode_number, e.season_number,
             coalesce(p.title, p.rss_url) as podcast_title, p.folder, p.owner, p.author, p.rss_url, p.cover_path,
             p.folder_template, p.file_template, p.image_url as podcast_image_url,
             a.auth_username, a.auth_password
        from episodes e
        left join lateral (select s.auth_username, s.auth_password from subscriptions s
                            where s.podcast_id = e.podcast_id and s.auth_username is not null
                            order by s.id limit 1) a on true
        join podcasts p on p.id = e.podcast_id
       where e.id = $1""";

  static final String PODCAST_COVER = """
      select id, coalesce(title, rss_url) as podcast_title, author, folder_template, folder, image_url, cover_path,
             cover_source, cover_etag, cover_last_modified
        from podcasts where id = $1""";

  static final String SAVE_COVER = """
      update podcasts set cover_path = $2, cover_source = $3, cover_etag = $4, cover_last_modified = $5
       where id = $1""";

  static final String LOCK = "select pg_advisory_xact_lock(hashtext($1))";

  /** Downloads running now from host {@code $1}, other than episode {@code $2}'s. */
  static final String HOST_BUSY = """
      select count(*) from episodes e
        join runs r on r.id = e.download_run
       where e.download_host = $1 and e.download_status = 'downloading' and r.status = 'running' and e.id <> $2""";

  static final String START = """
      update episodes
         set download_status = 'downloading', download_host = $2, download_run = $3, download_error = null,
             updated_at = now()
       where id = $1""";

  static final String FOLDERS_TAKEN = """
      select lower(folder) from podcasts where lower(folder) = any($1) and id <> $2 limit 100""";

  static final String SET_FOLDER = """
      update podcasts set folder = coalesce(folder, $2), updated_at = now() where id = $1 returning folder""";

  static final String NAMES_TAKEN = """
      select lower(coalesce(file_path, '')), lower(coalesce(download_target, '')), lower(coalesce(rename_to, ''))
        from episodes
       where podcast_id = $1 and id <> $2
         and (lower(file_path) = any($3) or lower(download_target) = any($3) or lower(rename_to) = any($3))
       limit 100""";

  static final String SET_TARGET = """
      update episodes set download_target = coalesce(download_target, $2) where id = $1 returning download_target""";

  static final String SAVE_VALIDATORS = """
      update episodes set download_etag = $2, download_last_modified = $3, download_length = $5
       where id = $1 and download_run = $4""";

  static final String FORGET_PARTIAL = """
      update episodes set download_etag = null, download_last_modified = null, download_length = null
       where id = $1""";

  static final String COMPLETED = """
      update episodes
         set download_status = 'completed', file_path = $2, bytes = $3, downloaded_at = now(), download_error = null,
             download_target = null, download_etag = null, download_last_modified = null, download_length = null,
             download_host = null, duration_s = coalesce(duration_s, $5),
             updated_at = now()
       where id = $1 and download_run = $4""";

  /** Ends an attempt that did not complete: {@code pending} (a retry is queued), {@code failed} or {@code none}. */
  static final String ENDED = """
      update episodes
         set download_status = $2, download_error = $3, download_host = null, updated_at = now(),
             download_target = case when $5 then null else download_target end,
             download_etag = case when $5 then null else download_etag end,
             download_last_modified = case when $5 then null else download_last_modified end,
             download_length = case when $5 then null else download_length end
       where id = $1 and download_run = $4""";

  static final String REFUSED = """
      update episodes set download_status = 'failed', download_error = $2, updated_at = now()
       where id = $1 and download_status in ('pending', 'downloading')""";

  /**
   * Episodes wanted but without a queued or running download (pending, or left downloading by a crash), leaving
   * out those whose download a person cancelled since they were last wanted.
   */
  static final String WANTED_WITHOUT_RUN = """
      select e.id, p.owner, p.owner_id from episodes e
        join podcasts p on p.id = e.podcast_id
       where e.download_status in ('pending', 'downloading') and e.id > $2
         and not exists (select 1 from runs r where r.type = $1 and r.dedupe_key = 'episode:' || e.id
                                                and r.status in ('queued', 'running'))
         and not exists (select 1 from runs r where r.type = $1 and r.dedupe_key = 'episode:' || e.id
                                                and r.status = 'cancelled' and r.finished_at >= e.updated_at)
       order by e.id
       limit $3""";

  static final String EPISODE_FOR_REQUEST = """
      select e.id, e.enclosure_url, p.owner, p.owner_id from episodes e
        join podcasts p on p.id = e.podcast_id
       where e.id = $1
         and ($2 or exists (select 1 from subscriptions s
                             where s.podcast_id = e.podcast_id and s.owner_id is not distinct from $3))""";

  static final String WANT = """
      update episodes
         set download_status = case when download_status = 'downloading' then download_status else 'pending' end,
             download_error = null, updated_at = now()
       where id = $1""";

  private static final String FILTER = """
       where (case when $1::text is null then e.download_status <> 'none' else e.download_status = $1 end)
         and ($2::bigint is null or e.podcast_id = (select podcast_id from subscriptions where id = $2))
         and ($3 or exists (select 1 from subscriptions s
                             where s.podcast_id = e.podcast_id and s.owner_id is not distinct from $4))
      """;

  static final String COUNT = """
      select count(*) from episodes e join podcasts p on p.id = e.podcast_id
      """ + FILTER;

  static final String PAGE = """
      select e.id, e.title,
             coalesce((select s.id from subscriptions s where s.podcast_id = e.podcast_id
                        and s.owner_id is not distinct from $4 order by s.id limit 1), e.podcast_id) as podcast_id,
             coalesce(p.title, p.rss_url) as podcast, e.download_status,
             e.download_error, e.file_path, e.bytes, e.enclosure_url, e.downloaded_at, e.updated_at,
             coalesce(a.id, f.id) as run_id, coalesce(a.status, f.status) as run_status,
             coalesce(a.progress, f.progress) as progress, coalesce(a.attempts, f.attempts) as attempts
        from episodes e
        join podcasts p on p.id = e.podcast_id
        left join lateral (select r.id, r.status, r.progress, r.attempts from runs r
                            where r.type = $5 and r.dedupe_key = 'episode:' || e.id
                              and r.status in ('queued', 'running')
                            limit 1) a on true
        left join runs f on f.id = e.download_run and a.id is null
      """ + FILTER + """
       order by e.updated_at desc, e.id desc
       limit $6""";

  /** Podcasts a rename covers ({@code $1}: one, or null for all), after id {@code $2}. */
  static final String PODCASTS_TO_RENAME = """
      select id from podcasts where ($1::bigint is null or id = $1) and id > $2 order by id limit $3""";

  static final String PODCAST_NAMING = """
      select id, coalesce(title, rss_url) as podcast_title, author, folder, folder_template, cover_path
        from podcasts where id = $1""";

  /** Moves the podcast's folder to {@code $2} unless another podcast has that name (any case); returns it. */
  static final String MOVE_FOLDER = """
      update podcasts set folder = $2, updated_at = now()
       where id = $1 and not exists (select 1 from podcasts o where o.id <> $1 and lower(o.folder) = lower($2))
      returning folder""";

  /** A page of the podcast's downloaded episodes, after id {@code $2}, with what naming them needs. */
  static final String FILES_TO_NAME = EPISODE.replace("where e.id = $1", """
      where e.podcast_id = $1 and e.id > $2 and e.download_status = 'completed' and e.file_path is not null
      order by e.id limit $3""");

  /** Renames a crash left half-done. */
  static final String PENDING_RENAMES = """
      select id, file_path, rename_to from episodes where podcast_id = $1 and rename_to is not null""";

  static final String SET_RENAME_TO = "update episodes set rename_to = $2 where id = $1";

  static final String RENAMED = """
      update episodes set file_path = rename_to, rename_to = null, updated_at = now() where id = $1""";

  static final String CLEAR_RENAME = "update episodes set rename_to = null where id = $1";

  static final String MOVE_COVER = "update podcasts set cover_path = $2 where id = $1";

  static final String LIBRARY_SETTING = "select value from library_settings where name = $1";

  static final String SAVE_LIBRARY_SETTING = """
      insert into library_settings (name, value) values ($1, $2)
      on conflict (name) do update set value = excluded.value""";
}
