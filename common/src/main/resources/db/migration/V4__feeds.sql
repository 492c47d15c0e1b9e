-- Feeds: listing a user's podcasts, and picking the podcasts due for a refresh, stay index scans.
create index podcasts_owner on podcasts (owner, id);
create index podcasts_refresh_due on podcasts (next_refresh_after, id) where next_refresh_after is not null;

-- Episodes: a hash of what the feed said of each, so a refresh writes only the episodes that changed.
alter table episodes add column content_hash bigint;
