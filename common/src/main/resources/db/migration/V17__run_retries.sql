-- A retried run names the run it retries; the old one stays in the history as it ended.
alter table runs add column retry_of uuid;
