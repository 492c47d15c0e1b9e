-- Workers: one row per live worker, refreshed while it runs, so "no live replica serves this type" can be seen.
create table workers (
  id         text primary key,
  host       text,
  types      text[]      not null,
  started_at timestamptz not null default now(),
  last_seen  timestamptz not null default now()
);

-- Alerts: one row per distinct alert (its key); count and times say how often it fired, ref its latest occurrence
-- (a failed run's id), last_sent_at when it was last delivered (at most once an hour), delivery how each channel fared.
create table alerts (
  key          text primary key,
  kind         text        not null,
  ref          text,
  subject      text        not null,
  message      text        not null,
  metadata     jsonb,
  count        integer     not null default 1,
  first_at     timestamptz not null default now(),
  last_at      timestamptz not null default now(),
  last_sent_at timestamptz,
  delivery     jsonb
);
create index alerts_newest on alerts (last_at desc);

-- A user's runs, newest first (GET /api/admin/users/{id}/runs); scheduled runs have no owner and no entry.
create index runs_owner on runs (owner, created_at desc) where owner is not null;
