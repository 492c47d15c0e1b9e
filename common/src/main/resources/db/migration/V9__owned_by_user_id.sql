-- Runs and podcasts are owned by a user's id, not their name: a user created later under a deleted user's name sees
-- nothing of theirs. The name stays, for display. Rows whose owner no longer exists stay ownerless (admins only).
alter table runs add column owner_id bigint references users (id) on delete set null;
alter table podcasts add column owner_id bigint references users (id) on delete set null;

update runs r set owner_id = u.id from users u where r.owner = u.name;
update podcasts p set owner_id = u.id from users u where p.owner = u.name;

drop index runs_owner;
create index runs_owner on runs (owner_id, created_at desc) where owner_id is not null;
drop index podcasts_owner;
create index podcasts_owner on podcasts (owner_id, id);
