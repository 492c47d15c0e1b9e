-- What each subscription lets in and keeps: download filters (title patterns, durations, a date), and retention
-- by count ('newest', max_episodes_to_keep of them), by age ('days', retention_days) or not at all ('all').
alter table subscriptions
  add column filters        jsonb   not null default '{}',
  add column retention_mode text    not null default 'newest' check (retention_mode in ('newest', 'days', 'all')),
  add column retention_days integer check (retention_days between 1 and 36500),
  add constraint subscriptions_days_given check (retention_mode <> 'days' or retention_days is not null);

-- How often the subscriber wants the feed read (null: FEED_REFRESH_INTERVAL); the feed is read at the shortest.
alter table subscriptions add column refresh_interval_s integer check (refresh_interval_s >= 300);

-- A private feed's credentials: the user name as given, the password sealed with AES-GCM (SecretBox), never plain.
alter table subscriptions
  add column auth_username text,
  add column auth_password bytea;
