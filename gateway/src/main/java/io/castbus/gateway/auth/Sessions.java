package io.castbus.gateway.auth;

import io.castbus.common.queue.RunJson;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * Dashboard sessions, kept in PostgreSQL so every gateway accepts them: a random id (the cookie; only its SHA-256 is
 * stored) bound to the API key that opened it, with a CSRF token. A session slides to 12 hours after its last use and
 * ends with its key or its user (the rows cascade).
 */
public final class Sessions {

  public static final String COOKIE = "castbus_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private final Pool pool;

  /** A live session: who it acts as and the token its state-changing requests must carry. */
  public record Session(Principal principal, String csrf) {
  }

  /** A session just opened: the cookie value, the CSRF token and when it expires if unused. */
  public record Opened(String id, String csrf, String expiresAt) {
  }

  public Sessions(Pool pool) {
    this.pool = pool;
  }

  /** Opens a session for a principal that presented an API key; clears out expired sessions on the way. */
  public Future<Opened> open(Principal principal) {
    var id = ApiKeys.randomToken();
    var csrf = ApiKeys.randomToken();
    return pool.query(AuthSql.DELETE_EXPIRED_SESSIONS).execute()
        .compose(v -> pool.preparedQuery(AuthSql.CREATE_SESSION)
            .execute(Tuple.of(ApiKeys.sha256(id), principal.userId(), principal.keyId(), csrf)))
        .map(rows -> new Opened(id, csrf, RunJson.time(rows.iterator().next().getOffsetDateTime("expires_at"))));
  }

  public Future<Optional<Session>> find(String id) {
    return pool.preparedQuery(AuthSql.SESSION).execute(Tuple.of(ApiKeys.sha256(id))).map(rows -> {
      if (rows.size() == 0) {
        return Optional.<Session>empty();
      }
      var row = rows.iterator().next();
      return Optional.of(new Session(new Principal(row.getLong("id"), row.getString("name"),
          Principal.Role.parse(row.getString("role")), row.getLong("key_id")), row.getString("csrf")));
    });
  }

  public Future<Void> close(String id) {
    return pool.preparedQuery(AuthSql.DELETE_SESSION).execute(Tuple.of(ApiKeys.sha256(id))).mapEmpty();
  }
}
