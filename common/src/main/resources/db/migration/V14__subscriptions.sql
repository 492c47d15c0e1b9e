-- One feed, many subscriptions: a podcast row is the feed (fetched and parsed once per refresh, its episodes and
-- files shared); each user's subscription to it holds their own settings. What the API calls a podcast is the
-- caller's subscription. Subscriptions take their ids from the podcasts' sequence, so a feed's first subscription
-- has the feed's own id (every existing podcast keeps the id clients know) and no id ever names two things.
create table subscriptions (
  id                   bigint      primary key default nextval('podcasts_id_seq'),
  podcast_id           bigint      not null references podcasts (id) on delete cascade,
  owner                text,
  owner_id             bigint      references users (id) on delete set null,
  title                text,
  max_episodes_to_keep integer     not null default 5 check (max_episodes_to_keep between 1 and 100),
  auto_download        boolean     not null default true,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
-- One subscription per user and feed (ownerless ones, an admin's under local-open, count as one user).
create unique index subscriptions_one_per_user on subscriptions (podcast_id, coalesce(owner_id, -1));
create index subscriptions_owner on subscriptions (owner_id, id);

insert into subscriptions (id, podcast_id, owner, owner_id, max_episodes_to_keep, auto_download, created_at, updated_at)
select id, id, owner, owner_id, max_episodes_to_keep, auto_download, created_at, updated_at from podcasts;

-- From here on podcasts.max_episodes_to_keep and auto_download are what the feed's subscriptions ask for together
-- (the most episodes any keeps; downloads when any auto-downloads), and podcasts.owner the subscriber its refresh
-- and download runs are done for.
comment on column podcasts.max_episodes_to_keep is 'the largest max_episodes_to_keep of its subscriptions';
comment on column podcasts.auto_download is 'whether any of its subscriptions auto-downloads';
comment on column podcasts.owner_id is 'the subscriber the feed''s refresh and download runs are done for';

-- A feed always has its first subscription: the one of the user who added it, made with the feed's row (same id,
-- owner and settings), whoever inserts it.
create function podcasts_first_subscription() returns trigger language plpgsql as $$
begin
  insert into subscriptions (id, podcast_id, owner, owner_id, max_episodes_to_keep, auto_download)
  values (new.id, new.id, new.owner, new.owner_id, new.max_episodes_to_keep, new.auto_download)
  on conflict do nothing;
  return new;
end $$;

create trigger podcasts_first_subscription after insert on podcasts
  for each row execute function podcasts_first_subscription();
