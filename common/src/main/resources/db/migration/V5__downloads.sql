-- Downloads: where an episode's file goes, the partial's resume validators, and the run and host of a transfer.
alter table episodes
  add column download_target        text,
  add column download_etag          text,
  add column download_last_modified text,
  add column download_host          text,
  add column download_run           uuid;

-- Per-host slots: the episodes being fetched from one host.
create index episodes_download_host on episodes (download_host) where download_status = 'downloading';
create index episodes_download_listing on episodes (download_status, updated_at desc, id desc)
  where download_status <> 'none';
