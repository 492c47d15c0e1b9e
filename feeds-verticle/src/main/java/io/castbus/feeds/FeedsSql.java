package io.castbus.feeds;

/** Every statement the feeds module runs. */
final class FeedsSql {

  private FeedsSql() {
  }

  static final String PODCAST_COLUMNS = """
      p.id, p.owner, p.owner_id, p.rss_url, p.title, p.description, p.site_url, p.image_url, p.author, p.language, p.folder,
      p.cover_path, p.folder_template, p.file_template,
      p.max_episodes_to_keep, p.auto_download, p.etag, p.last_modified, p.last_checked, p.last_success, p.last_error,
      p.consecutive_failures, p.next_refresh_after, p.created_at, p.updated_at,
      (select count(*) from episodes e where e.podcast_id = p.id) as episode_count""";

  static final String PODCAST = "select " + PODCAST_COLUMNS + " from podcasts p where p.id = $1";

  /** What a refresh needs of a podcast. */
  static final String PODCAST_TO_REFRESH = """
      select id, owner, owner_id, rss_url, title, max_episodes_to_keep, auto_download, etag, last_modified, last_success
        from podcasts where id = $1""";

  static final String PODCAST_BY_URL = "select id from podcasts where rss_url = $1";

  /** Podcasts of the user with id {@code $1} (every podcast when null), after id {@code $2}. */
  static final String PODCASTS = "select " + PODCAST_COLUMNS + """

        from podcasts p
       where ($1::bigint is null or p.owner_id = $1) and p.id > $2
       order by p.id
       limit $3""";

  static final String INSERT_PODCAST = """
      insert into podcasts (owner, owner_id, rss_url, max_episodes_to_keep, auto_download)
      values ($1, $5, $2, $3, $4)
      on conflict (rss_url) do nothing
      returning id""";

  static final String IMPORT_PODCASTS = """
      insert into podcasts (owner, owner_id, rss_url, title, site_url)
      select $1, $3, i.rss_url, i.title, i.site_url
        from jsonb_to_recordset($2::jsonb) as i(rss_url text, title text, site_url text)
      on conflict (rss_url) do nothing
      returning id, rss_url""";

  /** {@code $5}/{@code $7}: whether the folder/file template was given ({@code $6}/{@code $8}, null: the global one). */
  static final String UPDATE_PODCAST = """
      update podcasts
         set max_episodes_to_keep = coalesce($2, max_episodes_to_keep), auto_download = coalesce($3, auto_download),
             title = coalesce($4, title),
             folder_template = case when $5 then $6 else folder_template end,
             file_template = case when $7 then $8 else file_template end,
             updated_at = now()
       where id = $1""";

  static final String DELETE_PODCAST = "delete from podcasts where id = $1";

  static final String EPISODE_FILES = """
      select file_path from episodes where podcast_id = $1 and file_path is not null order by id limit $2""";

  /** A feed read: the podcast's fields and validators; the URL moves when the feed moved and no podcast has it. */
  static final String REFRESHED = """
      update podcasts
         set title = coalesce($2, title), description = coalesce($3, description), site_url = coalesce($4, site_url),
             image_url = coalesce($5, image_url), author = coalesce($6, author), language = coalesce($7, language),
             etag = $8, last_modified = $9,
             rss_url = case when $10::text is not null and not exists (select 1 from podcasts o where o.rss_url = $10)
                            then $10 else rss_url end,
             last_checked = now(), last_success = now(), last_error = null, consecutive_failures = 0,
             next_refresh_after = null, updated_at = now()
       where id = $1
      returning rss_url""";

  static final String NOT_MODIFIED = """
      update podcasts
         set last_checked = now(), last_success = now(), last_error = null, consecutive_failures = 0,
             next_refresh_after = null,
             rss_url = case when $2::text is not null and not exists (select 1 from podcasts o where o.rss_url = $2)
                            then $2 else rss_url end
       where id = $1""";

  /** A failed refresh: the next scheduled one waits 10 min, 20 min, 40 min, … at most 24 h. */
  static final String FAILED = """
      update podcasts
         set last_checked = now(), last_error = $2, consecutive_failures = consecutive_failures + 1,
             next_refresh_after = now() + least(interval '24 hours',
                                                interval '5 minutes' * power(2, least(consecutive_failures + 1, 20)))
       where id = $1
      returning consecutive_failures, next_refresh_after""";

  /** Podcasts due for a scheduled refresh (not backing off after failures), after id {@code $1}. */
  static final String DUE = """
      select id, owner, owner_id from podcasts
       where id > $1 and (next_refresh_after is null or next_refresh_after <= now() or $3)
       order by id
       limit $2""";

  /** What a refresh compares a feed with: each stored episode's key, enclosure and content hash. */
  static final String KNOWN_EPISODES = """
      select id, guid, enclosure_url, content_hash from episodes where podcast_id = $1 order by guid limit $2""";

  /** Episodes whose GUID changed while their enclosure stayed take the new GUID ({@code [{"id", "guid"}]}). */
  static final String REKEY = """
      update episodes e set guid = i.guid, updated_at = now()
        from jsonb_to_recordset($2::jsonb) as i(id bigint, guid text)
       where e.id = i.id and e.podcast_id = $1""";

  /**
   * Inserts new episodes (oldest first, so ids grow with time) and updates changed ones; the caller sends only
   * those. Returns the rows written, with whether each is new.
   */
  static final String UPSERT_EPISODES = """
      insert into episodes (podcast_id, guid, title, description, published_at, duration_s, enclosure_url,
                            enclosure_type, enclosure_length, image_url, episode_number, season_number, content_hash)
      select $1, i.guid, i.title, i.description, i.published_at, i.duration_s, i.enclosure_url, i.enclosure_type,
             i.enclosure_length, i.image_url, i.episode_number, i.season_number, i.content_hash
        from jsonb_to_recordset($2::jsonb) as i(guid text, title text, description text,
             published_at timestamptz, duration_s integer, enclosure_url text, enclosure_type text,
             enclosure_length bigint, image_url text, episode_number integer, season_number integer,
             content_hash bigint, n integer)
       order by i.n desc
      on conflict (podcast_id, guid) do update
         set title = excluded.title, description = excluded.description, published_at = excluded.published_at,
             duration_s = excluded.duration_s, enclosure_url = excluded.enclosure_url,
             enclosure_type = excluded.enclosure_type, enclosure_length = excluded.enclosure_length,
             image_url = excluded.image_url, episode_number = excluded.episode_number,
             season_number = excluded.season_number,
             content_hash = excluded.content_hash, updated_at = now()
      returning id, (xmax = 0) as inserted, published_at, enclosure_url is not null as downloadable""";

  /** Marks new episodes wanted; never one already downloading, downloaded or deleted by cleanup. */
  static final String MARK_PENDING = """
      update episodes set download_status = 'pending', download_error = null, updated_at = now()
       where id = any($1) and download_status = 'none'
      returning id""";

  static final String EPISODE_COLUMNS = """
      e.id, e.podcast_id, e.guid, e.title, e.description, e.published_at, e.duration_s, e.enclosure_url,
      e.enclosure_type, e.enclosure_length, e.download_status, e.download_error, e.file_path, e.bytes, e.keep,
      e.image_url, e.episode_number, e.season_number, e.downloaded_at, e.created_at, e.updated_at""";

  /** A podcast's episodes newest first, after the cursor ({@code $2} published_at or null, {@code $3} id). */
  static final String EPISODES_PAGE = "select " + EPISODE_COLUMNS + """

        from episodes e
       where e.podcast_id = $1
         and ($3::bigint is null
              or ($2::timestamptz is not null and (e.published_at < $2 or e.published_at is null
                                                   or (e.published_at = $2 and e.id < $3)))
              or ($2::timestamptz is null and e.published_at is null and e.id < $3))
       order by e.published_at desc nulls last, e.id desc
       limit $4""";

  static final String EPISODE_COUNT = "select count(*) from episodes where podcast_id = $1";

  static final String EPISODE = "select " + EPISODE_COLUMNS + ", p.owner, p.owner_id from episodes e "
      + "join podcasts p on p.id = e.podcast_id where e.id = $1";

  static final String UPDATE_EPISODE = "update episodes set keep = $2, updated_at = now() where id = $1";

  /** Whose library a personal feed lists: the owner's podcasts ({@code $1}), and ownerless ones for an admin ($2). */
  private static final String IN_LIBRARY = "(p.owner_id = $1 or ($2 and p.owner_id is null))";

  /** The podcasts of a library ({@code $3}: one podcast, or null for all). */
  static final String LIBRARY_PODCASTS = """
      select p.id, p.rss_url, p.title, p.description, p.site_url, p.image_url, p.author, p.language
        from podcasts p
       where """ + IN_LIBRARY + """
         and ($3::bigint is null or p.id = $3)
       order by p.id
       limit $4""";

  /** A library's downloaded episodes, newest first ({@code $3}: one podcast, or null for all). */
  static final String LIBRARY_EPISODES = """
      select e.id, e.podcast_id, e.guid, e.title, e.description, e.published_at, e.duration_s, e.enclosure_type,
             e.file_path, e.bytes, e.image_url, e.episode_number, e.season_number, e.downloaded_at
        from episodes e
        join podcasts p on p.id = e.podcast_id
       where e.download_status = 'completed' and e.file_path is not null and """ + IN_LIBRARY + """
         and ($3::bigint is null or p.id = $3)
       order by e.published_at desc nulls last, e.id desc
       limit $4""";

  /** One downloaded episode's file, when it is in the library. */
  static final String LIBRARY_MEDIA = """
      select e.file_path, e.enclosure_type, e.bytes
        from episodes e
        join podcasts p on p.id = e.podcast_id
       where e.id = $3 and e.download_status = 'completed' and e.file_path is not null and """ + IN_LIBRARY;
}
