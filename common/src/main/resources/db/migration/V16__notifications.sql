-- Good news by webhook: where a user wants their deliveries, and of which events (episode_new, episode_downloaded,
-- run_failed). Each delivery is a deliver_webhook run: retried, recorded, never in the way of the work.
create table user_notifications (
  user_id     bigint      primary key references users (id) on delete cascade,
  webhook_url text        not null,
  events      text[]      not null,
  updated_at  timestamptz not null default now()
);
create index user_notifications_events on user_notifications using gin (events);
