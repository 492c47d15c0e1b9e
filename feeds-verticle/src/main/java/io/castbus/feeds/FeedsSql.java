package io.castbus.feeds;

/** Every statement the feeds module runs. */
final class FeedsSql {

  private FeedsSql() {
  }

  /**
   * A podcast as the API shows it: the caller's subscription ({@code s}: its id, owner and settings) to a feed
   * ({@code p}: what was read, where its files are).
   */
  static final String PODCAST_COLUMNS = """
      s.id, s.owner, s.owner_id, p.id as podcast_id, p.rss_url, coalesce(s.title, p.title) as title, p.description,
      p.site_url, p.image_url, p.author, p.language, p.folder, p.cover_path, p.folder_template, p.file_template,
      s.max_episodes_to_keep, s.auto_download, s.filters, s.retention_mode, s.retention_days, s.refresh_interval_s,
      s.auth_username, s.auth_password is not null as password_set,
      p.etag, p.last_modified, p.last_checked, p.last_success, p.last_error,
      p.consecutive_failures, p.next_refresh_after, s.created_at, s.updated_at,
      (select count(*) from episodes e where e.podcast_id = p.id) as episode_count""";

  private static final String SUBSCRIBED = " from subscriptions s join podcasts p on p.id = s.podcast_id";

  /** One subscription, by its id (the API's podcast id). */
  static final String PODCAST = "select " + PODCAST_COLUMNS + SUBSCRIBED + " where s.id = $1";

  /** What a refresh needs of a feed. */
  static final String PODCAST_TO_REFRESH = """
      select id, owner, owner_id, rss_url, title, max_episodes_to_keep, auto_download, etag, last_modified, last_success
        from podcasts where id = $1""";

  static final String PODCAST_BY_URL = "select id from podcasts where rss_url = $1";

  /** The user's ({@code $2}) subscription to feed {@code $1}, if any. */
  static final String SUBSCRIPTION_OF = """
      select id from subscriptions where podcast_id = $1 and owner_id is not distinct from $2""";

  /** Subscriptions of the user with id {@code $1} (every subscription when null), after id {@code $2}. */
  static final String PODCASTS = "select " + PODCAST_COLUMNS + SUBSCRIBED + """

       where ($1::bigint is null or s.owner_id = $1) and s.id > $2
       order by s.id
       limit $3""";

  static final String INSERT_PODCAST = """
      insert into podcasts (owner, owner_id, rss_url, max_episodes_to_keep, auto_download)
      values ($1, $5, $2, $3, $4)
      on conflict (rss_url) do nothing
      returning id""";

  /** Another user's subscription to a known feed; nothing when they already have one. */
  static final String INSERT_SUBSCRIPTION = """
      insert into subscriptions (podcast_id, owner, owner_id, max_episodes_to_keep, auto_download, filters,
                                 retention_mode, retention_days, refresh_interval_s)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      on conflict do nothing
      returning id""";

  /**
   * A subscription's filters ({@code $2}) and retention ({@code $3} mode, {@code $4} days, {@code $5} count), each
   * kept as it was when null.
   */
  static final String SET_CHOICES = """
      update subscriptions
         set filters = coalesce($2, filters), retention_mode = coalesce($3, retention_mode),
             retention_days = case when $3::text is null then retention_days else $4 end,
             max_episodes_to_keep = coalesce($5, max_episodes_to_keep), updated_at = now()
       where id = $1""";

  /** The auto-downloading subscriptions of a feed, with what they let in. */
  static final String AUTO_SUBSCRIPTIONS = """
      select id, owner, owner_id, max_episodes_to_keep, retention_mode, retention_days, filters
        from subscriptions where podcast_id = $1 and auto_download order by id""";

  /** A feed's episodes never downloaded, newest first: what a new subscriber's choices pick from. */
  static final String NOT_DOWNLOADED = """
      select id, title, duration_s, published_at from episodes
       where podcast_id = $1 and enclosure_url is not null and download_status = 'none'
       order by published_at desc nulls last, id desc
       limit $2""";

  /**
   * What a feed's subscriptions ask of it together: the most episodes any keeps, whether any auto-downloads, and
   * the subscriber its runs are done for (the earliest).
   */
  static final String SYNC_FEED = """
      update podcasts p
         set max_episodes_to_keep = a.keep, auto_download = a.auto, owner = a.owner, owner_id = a.owner_id
        from (select max(max_episodes_to_keep) as keep, bool_or(auto_download) as auto,
                     (array_agg(owner order by id))[1] as owner, (array_agg(owner_id order by id))[1] as owner_id
                from subscriptions where podcast_id = $1) a
       where p.id = $1 and a.keep is not null""";

  /**
   * Subscribes the user ({@code $1} name, {@code $3} id) to every feed of an OPML list ({@code $2}), adding the
   * feeds not known yet; returns the subscriptions made, with whether their feed is new (and needs a refresh).
   */
  static final String IMPORT_PODCASTS = """
      with listed as (
        select distinct on (i.rss_url) i.rss_url, i.title, i.site_url
          from jsonb_to_recordset($2::jsonb) as i(rss_url text, title text, site_url text)),
      added as (
        insert into podcasts (owner, owner_id, rss_url, title, site_url)
        select $1, $3, l.rss_url, l.title, l.site_url from listed l
        on conflict (rss_url) do nothing
        returning id, rss_url),
      feeds as (
        select a.id, a.rss_url, true as new from added a
        union all
        select p.id, p.rss_url, false from podcasts p join listed l on l.rss_url = p.rss_url
         where not exists (select 1 from added a where a.rss_url = p.rss_url)),
      subscribed as (
        insert into subscriptions (id, podcast_id, owner, owner_id)
        select case when f.new then f.id else nextval('podcasts_id_seq') end, f.id, $1, $3 from feeds f
        on conflict do nothing
        returning id, podcast_id)
      select s.id, s.podcast_id, f.rss_url, f.new from subscribed s join feeds f on f.id = s.podcast_id""";

  /**
   * The subscription's settings (null keeps each); {@code $5}: whether {@code refresh_interval_s} was given
   * ({@code $6}, null: FEED_REFRESH_INTERVAL).
   */
  static final String UPDATE_SUBSCRIPTION = """
      update subscriptions
         set max_episodes_to_keep = coalesce($2, max_episodes_to_keep), auto_download = coalesce($3, auto_download),
             title = coalesce($4, title),
             refresh_interval_s = case when $5 then $6 else refresh_interval_s end, updated_at = now()
       where id = $1""";

  /** {@code $2}/{@code $4}: whether the folder/file template was given ({@code $3}/{@code $5}, null: the global one). */
  static final String UPDATE_TEMPLATES = """
      update podcasts
         set folder_template = case when $2 then $3 else folder_template end,
             file_template = case when $4 then $5 else file_template end,
             updated_at = now()
       where id = $1""";

  static final String DELETE_SUBSCRIPTION = "delete from subscriptions where id = $1";

  static final String OTHER_SUBSCRIBERS = "select count(*) from subscriptions where podcast_id = $1 and id <> $2";

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

  /**
   * Feeds due for a refresh, after id {@code $1}: not backing off after failures, and due by the shortest interval
   * their subscribers ask for ({@code refresh_interval_s}, else FEED_REFRESH_INTERVAL {@code $4}). {@code $3}: a
   * person's trigger (every feed). {@code $5}: the frequent firing, for feeds asked for more often than {@code $4};
   * otherwise the feeds that use {@code $4} (every firing) or a longer interval (once it has passed, less
   * {@code $6} seconds of slack).
   */
  static final String DUE = """
      select p.id, p.owner, p.owner_id from podcasts p
       cross join lateral (select coalesce(min(coalesce(s.refresh_interval_s, $4)), $4) as every
                             from subscriptions s where s.podcast_id = p.id) i
       where p.id > $1
         and (p.next_refresh_after is null or p.next_refresh_after <= now() or $3)
         and ($3 or case when $5 then i.every < $4 else i.every >= $4 end)
         and ($3 or (i.every = $4 and not $5) or p.last_checked is null
              or p.last_checked <= now() - make_interval(secs => i.every - $6))
       order by p.id
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
   * those. A feed that gives no duration keeps the one known (the feed's before, or the downloaded file's). Returns
   * the rows written, with whether each is new.
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
             duration_s = coalesce(excluded.duration_s, episodes.duration_s), enclosure_url = excluded.enclosure_url,
             enclosure_type = excluded.enclosure_type, enclosure_length = excluded.enclosure_length,
             image_url = excluded.image_url, episode_number = excluded.episode_number,
             season_number = excluded.season_number,
             content_hash = excluded.content_hash, updated_at = now()
      returning id, (xmax = 0) as inserted, published_at, enclosure_url is not null as downloadable, title, duration_s,
                guid, enclosure_url""";

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

  /** An episode, with whether user {@code $2} subscribes to its feed. */
  static final String EPISODE = "select " + EPISODE_COLUMNS + """
      , exists (select 1 from subscriptions s where s.podcast_id = e.podcast_id and s.owner_id is not distinct from $2)
        as subscribed
        from episodes e where e.id = $1""";

  static final String UPDATE_EPISODE = "update episodes set keep = $2, updated_at = now() where id = $1";

  /** Whose library a personal feed lists: the owner's subscriptions ({@code $1}), and ownerless ones for an admin ($2). */
  private static final String IN_LIBRARY = "(s.owner_id = $1 or ($2 and s.owner_id is null))";

  /** The subscriptions of a library ({@code $3}: one, or null for all), with their feeds. */
  static final String LIBRARY_PODCASTS = """
      select s.id, p.rss_url, coalesce(s.title, p.title) as title, p.description, p.site_url, p.image_url, p.author,
             p.language, p.cover_path
        from subscriptions s join podcasts p on p.id = s.podcast_id
       where """ + IN_LIBRARY + """
         and ($3::bigint is null or s.id = $3)
       order by s.id
       limit $4""";

  /** A library's downloaded episodes, newest first ({@code $3}: one subscription, or null for all), each once. */
  static final String LIBRARY_EPISODES = """
      select * from (
        select distinct on (e.id) e.id, s.id as podcast_id, e.guid, e.title, e.description, e.published_at,
               e.duration_s, e.enclosure_type, e.file_path, e.bytes, e.image_url, e.episode_number, e.season_number,
               e.downloaded_at
          from episodes e
          join subscriptions s on s.podcast_id = e.podcast_id
         where e.download_status = 'completed' and e.file_path is not null and """ + IN_LIBRARY + """
           and ($3::bigint is null or s.id = $3)
         order by e.id, s.id) mine
       order by published_at desc nulls last, id desc
       limit $4""";

  /** A subscription's kept cover ({@code $3}), when it is in the library. */
  static final String LIBRARY_COVER = """
      select p.cover_path
        from subscriptions s join podcasts p on p.id = s.podcast_id
       where s.id = $3 and p.cover_path is not null and """ + IN_LIBRARY;

  /** One downloaded episode's file, when it is in the library. */
  static final String LIBRARY_MEDIA = """
      select e.file_path, e.enclosure_type, e.bytes
        from episodes e
       where e.id = $3 and e.download_status = 'completed' and e.file_path is not null
         and exists (select 1 from subscriptions s where s.podcast_id = e.podcast_id and """ + IN_LIBRARY + ")";

  /** A feed's episodes not downloaded yet (never, or failed), newest first: the back catalogue. */
  static final String BACK_CATALOGUE = """
      select id, title, duration_s, published_at from episodes
       where podcast_id = $1 and enclosure_url is not null and download_status in ('none', 'failed')
       order by published_at desc nulls last, id desc
       limit $2""";

  /** Marks episodes wanted again, whatever they were (none or failed); returns those marked. */
  static final String WANT_AGAIN = """
      update episodes set download_status = 'pending', download_error = null, updated_at = now()
       where id = any($1) and download_status in ('none', 'failed')
      returning id""";

  /** A back catalogue's children: how many there are and how many have ended, by outcome. */
  static final String CHILDREN = """
      select count(*) as total,
             count(*) filter (where status = 'completed') as completed,
             count(*) filter (where status = 'failed') as failed,
             count(*) filter (where status = 'cancelled') as cancelled
        from runs where parent_id = $1""";

  static final String ACTIVE_CHILDREN = """
      select id from runs where parent_id = $1 and status in ('queued', 'running')""";

  /** The credentials a feed is fetched with: its earliest subscription's that has some. */
  static final String FEED_CREDENTIALS = """
      select auth_username, auth_password from subscriptions
       where podcast_id = $1 and auth_username is not null
       order by id limit 1""";

  static final String SET_AUTH = """
      update subscriptions set auth_username = $2, auth_password = $3, updated_at = now() where id = $1""";
}
