-- Server-side secrets the gateways share, such as the pepper API keys are hashed with (HMAC-SHA256). Filled by the
-- first gateway that starts, from its own secure random source.
create table auth_secrets (
  name  text primary key,
  value bytea not null
);

-- Keys stored before this version are plain SHA-256 hashes ('sha256'); a gateway rewrites each as an HMAC the first
-- time it is used. New keys are 'hmac-sha256' from the start.
alter table api_keys add column scheme text not null default 'sha256' check (scheme in ('sha256', 'hmac-sha256'));
alter table api_keys alter column scheme set default 'hmac-sha256';

-- Dashboard sessions: the SHA-256 of the cookie's random id, never the id itself. Revoking the key or deleting the
-- user ends them; they expire after 12 idle hours.
create table sessions (
  id         text primary key,
  user_id    bigint      not null references users (id) on delete cascade,
  key_id     bigint      not null references api_keys (id) on delete cascade,
  csrf       text        not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_key on sessions (key_id);
create index sessions_expiry on sessions (expires_at);
