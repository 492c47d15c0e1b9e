-- What each subscription lets in and keeps: download filters (title patterns, durations, a date), and retention
-- by count ('newest', max_episodes_to_keep of them), by age ('days', retention_days) or not at all ('all').
alter table subscriptions
  add column filters        jsonb   not null default '{}',
  add column retention_mode text    not null default 'newest' check (retention_mode in ('newest', 'days', 'all')),
  add column retention_days integer check (retention_days between 1 and 36500),
  add constraint subscriptions_days_given check (retention_mode <> 'days' or retention_days is not null);
