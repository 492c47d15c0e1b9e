-- Podcasts: one subscribed feed each, owned by the user who added it.
create table podcasts (
  id                   bigserial primary key,
  owner                text,
  rss_url              text        not null,
  title                text,
  description          text,
  site_url             text,
  image_url            text,
  author               text,
  language             text,
  folder               text,
  max_episodes_to_keep integer     not null default 5 check (max_episodes_to_keep between 1 and 100),
  auto_download        boolean     not null default true,
  etag                 text,
  last_modified        text,
  last_checked         timestamptz,
  last_success         timestamptz,
  last_error           text,
  consecutive_failures integer     not null default 0,
  next_refresh_after   timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create unique index podcasts_url on podcasts (rss_url);

-- Episodes: one item of a feed, identified inside its podcast by guid (or a stable substitute).
create table episodes (
  id              bigserial primary key,
  podcast_id      bigint      not null references podcasts (id) on delete cascade,
  guid            text        not null,
  title           text,
  description     text,
  published_at    timestamptz,
  duration_s      integer,
  enclosure_url   text,
  enclosure_type  text,
  enclosure_length bigint,
  download_status text        not null default 'none'
                  check (download_status in ('none', 'pending', 'downloading', 'completed', 'failed', 'deleted')),
  download_error  text,
  file_path       text,
  bytes           bigint,
  keep            boolean     not null default false,
  downloaded_at   timestamptz,
  deleted_at      timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create unique index episodes_guid on episodes (podcast_id, guid);
create index episodes_enclosure on episodes (podcast_id, enclosure_url);
create index episodes_newest on episodes (podcast_id, published_at desc nulls last, id desc);
create index episodes_download_status on episodes (download_status) where download_status in ('pending', 'downloading');
