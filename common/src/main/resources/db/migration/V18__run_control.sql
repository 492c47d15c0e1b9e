-- Searching runs: by their error's message (trigram, so any part of it matches), and by the podcast or episode
-- their payload names. Only runs with an error, or with such an id, are indexed: the claim path writes no more.
create extension if not exists pg_trgm;
create index runs_error_search on runs using gin ((error ->> 'message') gin_trgm_ops) where error is not null;
create index runs_payload_podcast on runs ((payload ->> 'podcast_id')) where payload ? 'podcast_id';
create index runs_payload_episode on runs ((payload ->> 'episode_id')) where payload ? 'episode_id';
create index podcasts_title_search on podcasts using gin (title gin_trgm_ops);
create index episodes_title_search on episodes using gin (title gin_trgm_ops);

-- Run types steered at run time, cluster-wide: paused (no worker claims it) and a concurrency cap over the default.
create table run_types (
  type        text primary key,
  paused      boolean     not null default false,
  concurrency integer     check (concurrency between 1 and 1000),
  updated_at  timestamptz not null default now(),
  updated_by  text
);

-- What a worker serves, per type: {"<type>": {"concurrency": n, "cluster_concurrency": n}}.
alter table workers add column type_options jsonb not null default '{}';

-- One row per bulk action or run-type change: who did it, on what, and how far it got. A bulk action commits its
-- batches one by one with their count, so an interrupted one still says how many runs it acted on.
create table run_actions (
  id          bigserial primary key,
  actor       text        not null,
  actor_id    bigint,
  action      text        not null,
  target      jsonb       not null default '{}',
  matched     integer     not null default 0,
  done        integer     not null default 0,
  skipped     integer     not null default 0,
  state       text        not null default 'running' check (state in ('running', 'finished')),
  started_at  timestamptz not null default clock_timestamp(),
  finished_at timestamptz
);
create index run_actions_newest on run_actions (started_at desc);

-- Statistics on the error message, so a search plans by how common its word is: the newest runs for a common one,
-- the trigram index for a rare one.
create statistics runs_error_message on ((error ->> 'message')) from runs;
