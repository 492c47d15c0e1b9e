package io.castbus.gateway.auth;

import io.castbus.common.ServiceError;
import io.castbus.common.queue.RunJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves API keys to principals, with a short cache so a busy client costs no query per request, and bootstraps
 * the admin key. Revoked keys stop working within {@link #CACHE_MILLIS}, and at once where the revocation is
 * announced. Keys are found by their keyed hash ({@link KeyHasher}); a key still stored as plain SHA-256 by an older
 * version is found by that and rewritten as a keyed hash on the spot.
 */
public final class AuthStore {

  static final long CACHE_MILLIS = 10_000;
  /** Limits are counted per user, so more keys buy no more; this caps what a user may hold anyway. */
  public static final int KEYS_PER_USER = 20;
  private static final int CACHE_MAX = 10_000;

  private final Pool pool;
  private final KeyHasher hasher;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<Principal> principal, long until) {
  }

  /**
   * The outcome of {@link #bootstrapAdmin}: the key generated now (to show once), or none; how many keys of an
   * earlier ADMIN_API_KEY it revoked.
   */
  public record Bootstrap(String generatedKey, int revoked) {
  }

  AuthStore(Pool pool, KeyHasher hasher) {
    this.pool = pool;
    this.hasher = hasher;
  }

  /**
   * The store, with the pepper keys are hashed under: read from {@code auth_secrets}, or made from this JVM's secure
   * random source by whichever gateway starts first.
   */
  public static Future<AuthStore> open(Pool pool) {
    var fresh = new byte[32];
    new java.security.SecureRandom().nextBytes(fresh);
    return pool.preparedQuery(AuthSql.CREATE_PEPPER).execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(fresh)))
        .compose(v -> pool.query(AuthSql.PEPPER).execute())
        .map(rows -> new AuthStore(pool, new KeyHasher(rows.iterator().next().getBuffer("value").getBytes())));
  }

  /** The user's webhook and events ({@code {"webhook_url", "events"}}; nulls and [] when none). */
  public Future<JsonObject> notifications(long userId) {
    return pool.preparedQuery(AuthSql.NOTIFICATIONS).execute(Tuple.of(userId)).map(rows -> {
      for (var row : rows) {
        return new JsonObject().put("webhook_url", row.getString("webhook_url"))
            .put("events", new JsonArray(java.util.Arrays.asList(row.getArrayOfStrings("events"))));
      }
      return new JsonObject().putNull("webhook_url").put("events", new JsonArray());
    });
  }

  /** Sets (or, with a null URL, removes) the user's webhook. */
  public Future<Void> setNotifications(long userId, String url, java.util.List<String> events) {
    return (url == null
        ? pool.preparedQuery(AuthSql.DELETE_NOTIFICATIONS).execute(Tuple.of(userId))
        : pool.preparedQuery(AuthSql.SET_NOTIFICATIONS).execute(Tuple.of(userId, url, events.toArray(new String[0]))))
        .mapEmpty();
  }

  KeyHasher hasher() {
    return hasher;
  }

  public Future<Optional<Principal>> lookup(String key) {
    var hash = hasher.hash(key);
    var now = System.currentTimeMillis();
    var cached = cache.get(hash);
    if (cached != null && cached.until > now) {
      return Future.succeededFuture(cached.principal);
    }
    var legacy = ApiKeys.sha256(key);
    return pool.preparedQuery(AuthSql.LOOKUP).execute(Tuple.of(hash, legacy)).compose(rows -> {
      Optional<Principal> principal = Optional.empty();
      Future<Void> upgraded = Future.succeededFuture();
      for (var row : rows) {
        var keyed = KeyHasher.SCHEME.equals(row.getString("scheme"));
        if (!KeyHasher.same(keyed ? hash : legacy, row.getString("hash"))) {
          continue;
        }
        var keyId = row.getLong("key_id");
        principal = Optional.of(new Principal(row.getLong("id"), row.getString("name"),
            Principal.Role.parse(row.getString("role")), keyId));
        if (keyed) {
          // When it was last used: nobody waits for it.
          pool.preparedQuery(AuthSql.TOUCH).execute(Tuple.of(keyId));
        } else {
          // A key stored as plain SHA-256 is rewritten before its request goes on, so it is never left behind; if
          // the rewrite fails, the key still works and is rewritten on its next use.
          upgraded = pool.preparedQuery(AuthSql.UPGRADE_KEY).execute(Tuple.of(hash, keyId))
              .<Void>mapEmpty().otherwiseEmpty();
        }
      }
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(hash, new Cached(principal, now + CACHE_MILLIS));
      var found = principal;
      return upgraded.map(v -> found);
    });
  }

  /**
   * Makes sure an admin can get in: registers {@code configuredKey} when given, revoking the key an earlier
   * {@code ADMIN_API_KEY} configured, else generates a key when no admin key exists yet. Safe when several gateways
   * start at once.
   */
  public Future<Bootstrap> bootstrapAdmin(String configuredKey) {
    return pool.withTransaction(conn -> conn.query(AuthSql.BOOTSTRAP_LOCK).execute()
        .compose(v -> conn.query(AuthSql.ADMIN_KEY_COUNT).execute())
        .compose(count -> {
          var existing = count.iterator().next().getLong(0);
          if (configuredKey == null && existing > 0) {
            return Future.succeededFuture(new Bootstrap(null, 0));
          }
          var key = configuredKey != null ? configuredKey : ApiKeys.generate();
          var hash = hasher.hash(key);
          if (configuredKey == null) {
            return conn.query(AuthSql.ADMIN_USER).execute()
                .compose(user -> conn.preparedQuery(AuthSql.INSERT_KEY).execute(
                    Tuple.of(user.iterator().next().getLong("id"), ApiKeys.prefix(key), hash)))
                .map(v -> new Bootstrap(key, 0));
          }
          // A configured key stored by an older version as plain SHA-256 is rewritten, not registered twice.
          return conn.preparedQuery(AuthSql.UPGRADE_LEGACY_KEY).execute(Tuple.of(hash, ApiKeys.sha256(key)))
              .compose(v -> conn.preparedQuery(AuthSql.REVOKE_OTHER_CONFIGURED).execute(Tuple.of(hash)))
              .compose(revoked -> conn.query(AuthSql.ADMIN_USER).execute()
                  .compose(user -> conn.preparedQuery(AuthSql.INSERT_CONFIGURED_KEY).execute(
                      Tuple.of(user.iterator().next().getLong("id"), ApiKeys.prefix(key), hash)))
                  .map(v -> new Bootstrap(null, revoked.rowCount())));
        }));
  }

  /** Forgets every cached lookup, so revoked keys stop working at once. */
  public void forgetAll() {
    cache.clear();
  }

  /** Creates a user with a first key; empty when the name is taken. */
  public Future<Optional<JsonObject>> createUser(String name, Principal.Role role) {
    var key = ApiKeys.generate();
    return pool.withTransaction(conn -> conn.preparedQuery(AuthSql.CREATE_USER).execute(Tuple.of(name, role.wire()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<JsonObject>empty());
          }
          var user = user(rows.iterator().next());
          return conn.preparedQuery(AuthSql.CREATE_KEY)
              .execute(Tuple.of(user.getLong("id"), ApiKeys.prefix(key), hasher.hash(key)))
              .map(k -> Optional.of(user.put("api_key", key)));
        }));
  }

  public Future<JsonArray> users(int limit) {
    return pool.preparedQuery(AuthSql.LIST_USERS).execute(Tuple.of(limit)).map(rows -> {
      var users = new JsonArray();
      rows.forEach(row -> users.add(user(row).put("keys", row.getLong("keys"))
          .put("last_used", RunJson.time(row.getOffsetDateTime("last_used")))));
      return users;
    });
  }

  public Future<Optional<JsonObject>> user(long id) {
    return pool.preparedQuery(AuthSql.GET_USER).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : Optional.of(user(rows.iterator().next())));
  }

  /** How many of a deleted user's podcasts and runs were given to the admin, or deleted. */
  public record Moved(int podcasts, int runs) {
  }

  /**
   * Deletes a user and its keys, in one transaction with what they owned: given to {@code admin}, or (when
   * {@code delete}) their finished runs deleted and the rest left with no owner. Podcasts to delete are deleted
   * beforehand through the feeds service, which removes their files.
   */
  public Future<Moved> deleteUser(long id, boolean delete, Principal admin) {
    return pool.withTransaction(conn -> {
      Future<Moved> moved = delete
          ? conn.preparedQuery(AuthSql.DELETE_FINISHED_RUNS).execute(Tuple.of(id)).map(r -> new Moved(0, r.rowCount()))
          : conn.preparedQuery(AuthSql.DROP_DUPLICATE_SUBSCRIPTIONS).execute(Tuple.of(id, admin.userId()))
              .compose(d -> conn.preparedQuery(AuthSql.REASSIGN_SUBSCRIPTIONS)
                  .execute(Tuple.of(id, admin.name(), admin.userId()))
                  .compose(p -> conn.preparedQuery(AuthSql.REASSIGN_PODCASTS)
                      .execute(Tuple.of(id, admin.name(), admin.userId())).map(f -> d.rowCount() + p.rowCount())))
              .compose(p -> conn.preparedQuery(AuthSql.REASSIGN_RUNS).execute(Tuple.of(id, admin.name(),
                  admin.userId())).map(r -> new Moved(p, r.rowCount())));
      return moved.compose(m -> conn.preparedQuery(AuthSql.DELETE_USER).execute(Tuple.of(id)).map(rows -> {
        if (rows.size() == 0) {
          throw ServiceError.notFound("no user with id " + id);
        }
        return m;
      }));
    });
  }

  /** A new key for the user, shown this once; a user already holding {@link #KEYS_PER_USER} keys gets 409. */
  public Future<JsonObject> createKey(long userId) {
    var key = ApiKeys.generate();
    return pool.withTransaction(conn -> conn.preparedQuery(AuthSql.LOCK_USER).execute(Tuple.of(userId))
        .compose(v -> conn.preparedQuery(AuthSql.KEY_COUNT).execute(Tuple.of(userId)))
        .compose(count -> {
          if (count.iterator().next().getLong(0) >= KEYS_PER_USER) {
            return Future.failedFuture(new ServiceError(409, "conflict", "a user may hold at most " + KEYS_PER_USER
                + " API keys; revoke one (DELETE /api/me/keys/{id}) first"));
          }
          return conn.preparedQuery(AuthSql.CREATE_KEY).execute(Tuple.of(userId, ApiKeys.prefix(key), hasher.hash(key)))
              .map(rows -> key(rows.iterator().next()).put("api_key", key));
        }));
  }

  public Future<JsonArray> keys(long userId, int limit) {
    return pool.preparedQuery(AuthSql.LIST_KEYS).execute(Tuple.of(userId, limit)).map(rows -> {
      var keys = new JsonArray();
      rows.forEach(row -> keys.add(key(row).put("last_used", RunJson.time(row.getOffsetDateTime("last_used")))));
      return keys;
    });
  }

  /** Revokes one of the user's keys; false when the user has no such key. */
  public Future<Boolean> deleteKey(long userId, long keyId) {
    return pool.preparedQuery(AuthSql.DELETE_KEY).execute(Tuple.of(keyId, userId)).map(rows -> rows.size() > 0);
  }

  private static JsonObject user(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("name", row.getString("name"))
        .put("role", row.getString("role")).put("created_at", RunJson.time(row.getOffsetDateTime("created_at")));
  }

  private static JsonObject key(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("prefix", row.getString("prefix"))
        .put("created_at", RunJson.time(row.getOffsetDateTime("created_at")));
  }
}
