-- Runs: one execution of some work, the durable queue itself.
create table runs (
  id               uuid primary key,
  type             text        not null,
  job_id           text,
  parent_id        uuid,
  dedupe_key       text,
  payload          jsonb       not null default '{}',
  owner            text,
  priority         smallint    not null default 2,
  status           text        not null default 'queued'
                   check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  attempts         integer     not null default 0,
  max_attempts     integer     not null default 3,
  not_before       timestamptz not null default now(),
  due_at           timestamptz,
  worker_id        text,
  lease_until      timestamptz,
  cancel_requested boolean     not null default false,
  progress         jsonb,
  output           text[]      not null default '{}',
  result           jsonb,
  error            jsonb,
  created_at       timestamptz not null default clock_timestamp(),
  started_at       timestamptz,
  finished_at      timestamptz,
  updated_at       timestamptz not null default now()
);

-- The claim path: queued runs of one type in priority, then due, then FIFO order (ids are time-ordered).
create index runs_claimable on runs (type, priority, not_before, id) where status = 'queued';
create index runs_leases on runs (lease_until) where status = 'running';
create index runs_worker on runs (worker_id) where status = 'running';
create index runs_active_job on runs (job_id) where status in ('queued', 'running');
create index runs_job_history on runs (job_id, created_at desc);
create index runs_type_history on runs (type, status, finished_at desc);
create index runs_newest on runs (created_at desc, id desc);
create index runs_parent on runs (parent_id) where parent_id is not null;
-- A job fires at most once per due time, whatever the number of scheduler replicas.
create unique index runs_one_per_due_time on runs (job_id, due_at) where due_at is not null;
create unique index runs_active_dedupe on runs (type, dedupe_key)
  where dedupe_key is not null and status in ('queued', 'running');

create table run_events (
  id         bigserial primary key,
  run_id     uuid        not null references runs (id) on delete cascade,
  at         timestamptz not null default clock_timestamp(),
  level      text        not null check (level in ('info', 'warn', 'error')),
  context    text        not null,
  message    text        not null,
  metadata   jsonb
);
create index run_events_by_run on run_events (run_id, id);

-- Jobs: named schedules that create runs.
create table jobs (
  id                 text primary key,
  name               text        not null,
  run_type           text        not null,
  payload            jsonb       not null default '{}',
  priority           smallint    not null default 2,
  max_instances      integer     not null default 1,
  trigger            jsonb       not null,
  default_trigger    jsonb       not null,
  trigger_customized boolean     not null default false,
  paused             boolean     not null default false,
  next_run_at        timestamptz,
  last_fired_at      timestamptz,
  skipped_count      bigint      not null default 0,
  last_skipped_at    timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create index jobs_due on jobs (next_run_at) where not paused and next_run_at is not null;

-- Users and their API keys (keys are stored hashed, never in clear).
create table users (
  id         bigserial primary key,
  name       text        not null unique,
  role       text        not null check (role in ('admin', 'user')),
  created_at timestamptz not null default now()
);

create table api_keys (
  id         bigserial primary key,
  user_id    bigint      not null references users (id) on delete cascade,
  prefix     text        not null,
  hash       text        not null unique,
  created_at timestamptz not null default now(),
  last_used  timestamptz
);
create index api_keys_user on api_keys (user_id);
