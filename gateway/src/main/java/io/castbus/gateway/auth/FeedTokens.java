package io.castbus.gateway.auth;

import io.castbus.common.ServiceError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Each user's token for the feeds served back out ({@code /feeds/<token>/…}): podcast apps cannot send headers, so
 * the token is the credential, in the URL. A token is 32 characters of lowercase base32 (160 bits), derived from a
 * random per-user nonce under a server-side key; the database holds the nonce and a keyed hash of the token (the
 * lookup), never the token. A new nonce ({@link #rotate}) makes a new token and the old one stops matching; the
 * gateway that rotates announces it so every gateway drops its cached lookups at once.
 */
public final class FeedTokens {

  /** The token's shape: anything else is not looked up at all. */
  public static final Pattern SHAPE = Pattern.compile("[a-z2-7]{32}");
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final long CACHE_MILLIS = 10_000;
  private static final int CACHE_MAX = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The user a token belongs to. */
  public record Owner(long userId, String name, boolean admin) {
  }

  private record Cached(Optional<Owner> owner, long until) {
  }

  private final Pool pool;
  private final KeyHasher hasher;
  private final SecretKeySpec key;
  private final Map<String, Cached> byToken = new ConcurrentHashMap<>();
  private final Map<Long, String> byUser = new ConcurrentHashMap<>();

  private FeedTokens(Pool pool, KeyHasher hasher, byte[] key) {
    this.pool = pool;
    this.hasher = hasher;
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /** The tokens, with the key they are derived under (made by whichever gateway starts first). */
  public static Future<FeedTokens> open(Pool pool, AuthStore auth) {
    var fresh = new byte[32];
    RANDOM.nextBytes(fresh);
    return pool.preparedQuery(AuthSql.CREATE_FEED_KEY).execute(Tuple.of(Buffer.buffer(fresh)))
        .compose(v -> pool.query(AuthSql.FEED_KEY).execute())
        .map(rows -> new FeedTokens(pool, auth.hasher(), rows.iterator().next().getBuffer("value").getBytes()));
  }

  /** The user's current token, made on first use. */
  public Future<String> tokenOf(long userId) {
    var cached = byUser.get(userId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    var nonce = nonce();
    var token = derive(userId, nonce);
    return pool.preparedQuery(AuthSql.FEED_NONCE)
        .execute(Tuple.of(userId, Buffer.buffer(nonce), hasher.hash(token)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ServiceError.notFound("no user with id " + userId));
          }
          var stored = derive(userId, rows.iterator().next().getBuffer("feed_token_nonce").getBytes());
          remember(userId, stored);
          return Future.succeededFuture(stored);
        });
  }

  /** A new token for the user; the old one no longer matches anywhere once {@link #forgetAll} has run. */
  public Future<String> rotate(long userId) {
    var nonce = nonce();
    var token = derive(userId, nonce);
    return pool.preparedQuery(AuthSql.ROTATE_FEED_TOKEN)
        .execute(Tuple.of(userId, Buffer.buffer(nonce), hasher.hash(token)))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ServiceError.notFound("no user with id " + userId))
            : Future.succeededFuture(token))
        .onSuccess(t -> forgetAll());
  }

  /** Whose token this is, or empty for a token of another shape, unknown or revoked. */
  public Future<Optional<Owner>> owner(String token) {
    if (token == null || !SHAPE.matcher(token).matches()) {
      return Future.succeededFuture(Optional.empty());
    }
    var now = System.currentTimeMillis();
    var cached = byToken.get(token);
    if (cached != null && cached.until() > now) {
      return Future.succeededFuture(cached.owner());
    }
    var hash = hasher.hash(token);
    return pool.preparedQuery(AuthSql.FEED_TOKEN_USER).execute(Tuple.of(hash)).map(rows -> {
      Optional<Owner> owner = Optional.empty();
      for (var row : rows) {
        owner = Optional.of(new Owner(row.getLong("id"), row.getString("name"), "admin".equals(row.getString("role"))));
      }
      if (byToken.size() >= CACHE_MAX) {
        byToken.clear();
      }
      byToken.put(token, new Cached(owner, now + CACHE_MILLIS));
      return owner;
    });
  }

  /** Whom the local operator's feeds belong to under {@code local-open}: the first admin user. */
  public Future<Optional<Owner>> localOperator() {
    return pool.query(AuthSql.FIRST_ADMIN).execute().map(rows -> {
      for (var row : rows) {
        return Optional.of(new Owner(row.getLong("id"), row.getString("name"), true));
      }
      return Optional.<Owner>empty();
    });
  }

  public void forgetAll() {
    byToken.clear();
    byUser.clear();
  }

  private void remember(long userId, String token) {
    if (byUser.size() >= CACHE_MAX) {
      byUser.clear();
    }
    byUser.put(userId, token);
  }

  private static byte[] nonce() {
    var nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** The token of (user, nonce): the first 160 bits of an HMAC under the feed key, in lowercase base32. */
  String derive(long userId, byte[] nonce) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update("castbus feed token".getBytes(StandardCharsets.US_ASCII));
      mac.update(ByteBuffer.allocate(8).putLong(userId).array());
      return base32(mac.doFinal(nonce), 20);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static String base32(byte[] bytes, int length) {
    var out = new StringBuilder(length * 8 / 5);
    var buffer = 0;
    var bits = 0;
    for (var i = 0; i < length; i++) {
      buffer = (buffer << 8) | (bytes[i] & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    return out.toString();
  }
}
