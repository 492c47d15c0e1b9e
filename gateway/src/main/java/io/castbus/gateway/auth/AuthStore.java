package io.castbus.gateway.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves API keys to principals, with a short cache so a busy client costs no query per request, and bootstraps
 * the admin key. Revoked keys stop working within {@link #CACHE_MILLIS}.
 */
public final class AuthStore {

  static final long CACHE_MILLIS = 10_000;
  private static final int CACHE_MAX = 10_000;

  private final Pool pool;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<Principal> principal, long until) {
  }

  /** The outcome of {@link #bootstrapAdmin}: the key generated now (to show once), or none. */
  public record Bootstrap(String generatedKey) {
  }

  public AuthStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<Principal>> lookup(String key) {
    var hash = ApiKeys.hash(key);
    var now = System.currentTimeMillis();
    var cached = cache.get(hash);
    if (cached != null && cached.until > now) {
      return Future.succeededFuture(cached.principal);
    }
    return pool.preparedQuery(AuthSql.LOOKUP).execute(Tuple.of(hash)).map(rows -> {
      Optional<Principal> principal = Optional.empty();
      if (rows.size() > 0) {
        var row = rows.iterator().next();
        principal = Optional.of(new Principal(row.getLong("id"), row.getString("name"),
            Principal.Role.parse(row.getString("role"))));
        pool.preparedQuery(AuthSql.TOUCH).execute(Tuple.of(row.getLong("key_id")));
      }
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(hash, new Cached(principal, now + CACHE_MILLIS));
      return principal;
    });
  }

  /**
   * Makes sure an admin can get in: registers {@code configuredKey} when given, else generates a key when no admin
   * key exists yet. Safe when several gateways start at once.
   */
  public Future<Bootstrap> bootstrapAdmin(String configuredKey) {
    return pool.withTransaction(conn -> conn.query(AuthSql.BOOTSTRAP_LOCK).execute()
        .compose(v -> conn.query(AuthSql.ADMIN_KEY_COUNT).execute())
        .compose(count -> {
          var existing = count.iterator().next().getLong(0);
          if (configuredKey == null && existing > 0) {
            return Future.succeededFuture(new Bootstrap(null));
          }
          var key = configuredKey != null ? configuredKey : ApiKeys.generate();
          return conn.query(AuthSql.ADMIN_USER).execute()
              .compose(user -> conn.preparedQuery(AuthSql.INSERT_KEY).execute(
                  Tuple.of(user.iterator().next().getLong("id"), ApiKeys.prefix(key), ApiKeys.hash(key))))
              .map(v -> new Bootstrap(configuredKey == null ? key : null));
        }));
  }
}
