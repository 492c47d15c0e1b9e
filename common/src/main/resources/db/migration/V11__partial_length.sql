-- The length a download's server first announced for the partial on disk: a server that sends no validator
-- (neither ETag nor Last-Modified) is resumed with a plain Range, and its 206 is taken only if it continues the
-- partial and announces this same total.
alter table episodes add column download_length bigint;
