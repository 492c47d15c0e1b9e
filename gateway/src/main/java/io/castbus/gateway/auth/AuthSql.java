package io.castbus.gateway.auth;

/** Every statement the gateway runs against the users and api_keys tables. */
final class AuthSql {

  private AuthSql() {
  }

  static final String LOOKUP = """
      select u.id, u.name, u.role, k.id as key_id
        from api_keys k join users u on u.id = k.user_id
       where k.hash = $1""";

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
}
