package io.castbus.feeds;

import io.castbus.common.crypto.SecretBox;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Private feeds' credentials as stored: the password sealed by {@link SecretBox}, opened only to be sent. */
final class StoredCredentials {

  private final Pool pool;
  private final SecretBox box;

  StoredCredentials(Pool pool, SecretBox box) {
    this.pool = pool;
    this.box = box;
  }

  /** The credentials a feed is fetched with (its earliest subscription that has some), or null. */
  Future<FeedCredentials> of(long feed) {
    return pool.preparedQuery(FeedsSql.FEED_CREDENTIALS).execute(Tuple.of(feed)).map(rows -> {
      for (var row : rows) {
        try {
          return new FeedCredentials(row.getString("auth_username"), box.open(row.getBuffer("auth_password").getBytes()));
        } catch (SecretBox.Unreadable e) {
          throw RunFailure.permanent("credentials_unreadable", "the feed's credentials cannot be read: "
              + e.getMessage());
        }
      }
      return null;
    });
  }

  /** Stores (or with null, removes) a subscription's credentials. */
  Future<Void> save(SqlClient client, long subscription, FeedCredentials credentials) {
    return client.preparedQuery(FeedsSql.SET_AUTH).execute(Tuple.of(subscription,
        credentials == null ? null : credentials.username(),
        credentials == null ? null : Buffer.buffer(box.seal(credentials.password())))).mapEmpty();
  }
}
