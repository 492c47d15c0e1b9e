-- The key that ADMIN_API_KEY configures is marked, so that a new ADMIN_API_KEY replaces it instead of joining it.
alter table api_keys add column configured boolean not null default false;

-- A shown prefix reveals little: 4 characters of a generated key ("cb_" and one more), nothing of a chosen one.
update api_keys set prefix = case when prefix ~ '^cb_' then left(prefix, 4) else '' end;
