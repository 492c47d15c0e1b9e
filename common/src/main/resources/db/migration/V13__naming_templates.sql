-- Naming templates: a podcast's own folder and file templates (null: FOLDER_TEMPLATE and FILE_TEMPLATE), where a
-- rename in progress moves an episode's file (set before the move, cleared once the path is stored), and the
-- templates the library was last named with (a change at start-up renames the library).
alter table podcasts
  add column folder_template text,
  add column file_template   text;

alter table episodes add column rename_to text;
create index episodes_rename_to on episodes (podcast_id) where rename_to is not null;

create table library_settings (
  name  text primary key,
  value text not null
);
