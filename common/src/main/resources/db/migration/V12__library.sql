-- The library as players read it: each episode's own artwork and numbering as its feed gives them, the podcast's
-- cover as kept in its folder (with the validators of the image it came from), and each user's feed token.
alter table episodes
  add column image_url      text,
  add column episode_number integer,
  add column season_number  integer;

alter table podcasts
  add column cover_path          text,
  add column cover_source        text,
  add column cover_etag          text,
  add column cover_last_modified text;

-- A user's personal feeds are reached with a token in the URL (podcast apps cannot send headers). Only a keyed hash
-- of the token is stored for the lookup; the nonce it is derived from changes when the user asks for a new token.
alter table users
  add column feed_token_nonce bytea,
  add column feed_token_hash  text;
create unique index users_feed_token on users (feed_token_hash) where feed_token_hash is not null;
