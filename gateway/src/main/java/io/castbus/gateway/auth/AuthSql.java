package io.castbus.gateway.auth;

/** Every statement the gateway runs against the users and api_keys tables. */
final class AuthSql {

  private AuthSql() {
  }

  /** $1 the keyed hash, $2 the legacy plain hash; the caller checks the row's scheme against the hash it matched. */
  static final String LOOKUP = """
      select u.id, u.name, u.role, k.id as key_id, k.hash, k.scheme
        from api_keys k join users u on u.id = k.user_id
       where k.hash in ($1, $2)""";

  static final String UPGRADE_KEY = "update api_keys set hash = $1, scheme = 'hmac-sha256' where id = $2";

  static final String UPGRADE_LEGACY_KEY = """
      update api_keys set hash = $1, scheme = 'hmac-sha256' where hash = $2 and scheme = 'sha256'""";

  static final String CREATE_PEPPER = """
      insert into auth_secrets (name, value) values ('key_pepper', $1) on conflict (name) do nothing""";

  static final String PEPPER = "select value from auth_secrets where name = 'key_pepper'";

  static final String TOUCH = "update api_keys set last_used = now() where id = $1";

  /** Serializes admin bootstrap across gateways starting at once. */
  static final String BOOTSTRAP_LOCK = "select pg_advisory_xact_lock(hashtext('castbus.admin-bootstrap'))";

  static final String ADMIN_USER = """
      insert into users (name, role) values ('admin', 'admin')
      on conflict (name) do update set role = 'admin'
      returning id""";

  static final String ADMIN_KEY_COUNT = """
      select count(*) from api_keys k join users u on u.id = k.user_id where u.role = 'admin'""";

  static final String INSERT_KEY = """
      insert into api_keys (user_id, prefix, hash) values ($1, $2, $3)
      on conflict (hash) do nothing""";

  /** The configured admin key: registered, or marked as the configured one if it already is a key. */
  static final String INSERT_CONFIGURED_KEY = """
      insert into api_keys (user_id, prefix, hash, configured) values ($1, $2, $3, true)
      on conflict (hash) do update set configured = true""";

  /** Every key an earlier ADMIN_API_KEY configured, now replaced by the key whose hash is $1. */
  static final String REVOKE_OTHER_CONFIGURED = """
      delete from api_keys where configured and hash <> $1 returning id""";

  static final String CREATE_USER = """
      insert into users (name, role) values ($1, $2) on conflict (name) do nothing
      returning id, name, role, created_at""";

  static final String LIST_USERS = """
      select u.id, u.name, u.role, u.created_at, count(k.id) as keys, max(k.last_used) as last_used
        from users u left join api_keys k on k.user_id = u.id
       group by u.id order by u.id limit $1""";

  static final String GET_USER = "select id, name, role, created_at from users where id = $1";

  static final String DELETE_USER = "delete from users where id = $1 returning name";

  /** A deleted user's subscriptions to feeds the admin ($2) already follows: the admin's stays. */
  static final String DROP_DUPLICATE_SUBSCRIPTIONS = """
      delete from subscriptions s
       where s.owner_id = $1
         and exists (select 1 from subscriptions a where a.podcast_id = s.podcast_id and a.owner_id is not distinct from $2)""";

  /** A deleted user's subscriptions, podcasts (the runs done for them) and runs, given to the admin ($2 name, $3 id). */
  static final String REASSIGN_SUBSCRIPTIONS = """
      update subscriptions set owner = $2, owner_id = $3, updated_at = now() where owner_id = $1""";

  static final String REASSIGN_PODCASTS = "update podcasts set owner = $2, owner_id = $3 where owner_id = $1";

  static final String REASSIGN_RUNS = "update runs set owner = $2, owner_id = $3 where owner_id = $1";

  /** A deleted user's history; their queued and running runs finish, ownerless (owner_id set null by the key). */
  static final String DELETE_FINISHED_RUNS = """
      delete from runs where owner_id = $1 and status in ('completed', 'failed', 'cancelled')""";

  /** Serializes a user's key creations, so the count below holds. */
  static final String LOCK_USER = "select id from users where id = $1 for update";

  static final String KEY_COUNT = "select count(*) from api_keys where user_id = $1";

  static final String CREATE_KEY = """
      insert into api_keys (user_id, prefix, hash) values ($1, $2, $3) returning id, prefix, created_at""";

  static final String LIST_KEYS = """
      select id, prefix, created_at, last_used from api_keys where user_id = $1 order by id limit $2""";

  static final String DELETE_KEY = "delete from api_keys where id = $1 and user_id = $2 returning id";

  static final String CREATE_SESSION = """
      insert into sessions (id, user_id, key_id, csrf, expires_at) values ($1, $2, $3, $4, now() + interval '12 hours')
      returning expires_at""";

  /** Finds a live session and slides its expiry. */
  static final String SESSION = """
      with s as (
        update sessions set expires_at = now() + interval '12 hours'
         where id = $1 and expires_at > now()
        returning user_id, key_id, csrf)
      select u.id, u.name, u.role, s.key_id, s.csrf from s join users u on u.id = s.user_id""";

  static final String DELETE_SESSION = "delete from sessions where id = $1";

  static final String DELETE_EXPIRED_SESSIONS = "delete from sessions where expires_at <= now()";

  static final String CREATE_FEED_KEY = """
      insert into auth_secrets (name, value) values ('feed_token_key', $1) on conflict (name) do nothing""";

  static final String FEED_KEY = "select value from auth_secrets where name = 'feed_token_key'";

  /** A user's feed-token nonce, the one given ($2, with its hash $3) when they had none. */
  static final String FEED_NONCE = """
      update users
         set feed_token_nonce = coalesce(feed_token_nonce, $2),
             feed_token_hash = case when feed_token_nonce is null then $3 else feed_token_hash end
       where id = $1
      returning feed_token_nonce""";

  /** A new token for the user: the old one stops matching. */
  static final String ROTATE_FEED_TOKEN = """
      update users set feed_token_nonce = $2, feed_token_hash = $3 where id = $1 returning id""";

  static final String FEED_TOKEN_USER = "select id, name, role from users where feed_token_hash = $1";

  /** Whom the local operator's personal feeds belong to under {@code local-open}: the first admin. */
  static final String FIRST_ADMIN = "select id, name, role from users where role = 'admin' order by id limit 1";

  static final String NOTIFICATIONS = "select webhook_url, events from user_notifications where user_id = $1";

  static final String SET_NOTIFICATIONS = """
      insert into user_notifications (user_id, webhook_url, events) values ($1, $2, $3)
      on conflict (user_id) do update set webhook_url = excluded.webhook_url, events = excluded.events,
                                          updated_at = now()""";

  static final String DELETE_NOTIFICATIONS = "delete from user_notifications where user_id = $1";
}
