package io.castbus.common;

import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Good news by webhook: the events a user can ask for ({@code PUT /api/me/notifications}) and the admin-wide
 * WEBHOOK_URL can subscribe to (WEBHOOK_EVENTS), and the {@code deliver_webhook} runs that carry them. The body is
 * {@code {"event", "time", "podcast", "episode", "file" | "run"}}.
 */
public final class Notifications {

  public static final String EPISODE_NEW = "episode_new";
  public static final String EPISODE_DOWNLOADED = "episode_downloaded";
  public static final String RUN_FAILED = "run_failed";
  public static final Set<String> EVENTS = Set.of(EPISODE_NEW, EPISODE_DOWNLOADED, RUN_FAILED);

  /** The subscribers of feed {@code $1} who asked for event {@code $2}: their user id and subscription. */
  private static final String SUBSCRIBERS = """
      select s.id as subscription_id, s.owner, s.owner_id, coalesce(s.title, p.title, p.rss_url) as title, p.rss_url
        from subscriptions s
        join podcasts p on p.id = s.podcast_id
        join user_notifications n on n.user_id = s.owner_id
       where s.podcast_id = $1 and $2 = any(n.events)""";

  private static final String FEED = """
      select p.id, coalesce(p.title, p.rss_url) as title, p.rss_url from podcasts p where p.id = $1""";

  private Notifications() {
  }

  /** A delivery of {@code body} to the user's webhook, or (null user) to WEBHOOK_URL. */
  public static NewRun delivery(Long userId, String owner, JsonObject body) {
    var payload = new JsonObject().put("event", body.getString("event")).put("body", body);
    if (userId != null) {
      payload.put("user_id", userId);
    }
    return NewRun.of(RunTypes.DELIVER_WEBHOOK, payload).owner(owner, userId);
  }

  /**
   * Queues, in the caller's transaction, one delivery of an episode event to each subscriber of {@code feed} who asked
   * for it, and to WEBHOOK_URL when WEBHOOK_EVENTS has it ({@code admin}); {@code episode} and {@code file} as the
   * body carries them.
   */
  public static Future<Void> episode(SqlClient client, String event, long feed, JsonObject episode, JsonObject file,
      boolean admin) {
    return client.preparedQuery(SUBSCRIBERS).execute(Tuple.of(feed, event)).compose(rows -> {
      var runs = new ArrayList<NewRun>();
      var now = Instant.now().toString();
      for (var r : rows) {
        runs.add(delivery(r.getLong("owner_id"), r.getString("owner"), body(event, now,
            new JsonObject().put("id", r.getLong("subscription_id")).put("title", r.getString("title"))
                .put("rss_url", r.getString("rss_url")), episode, file)));
      }
      Future<List<NewRun>> all = Future.succeededFuture(runs);
      if (admin) {
        all = client.preparedQuery(FEED).execute(Tuple.of(feed)).map(feeds -> {
          for (var f : feeds) {
            runs.add(delivery(null, null, body(event, now, new JsonObject().put("id", f.getLong("id"))
                .put("title", f.getString("title")).put("rss_url", f.getString("rss_url")), episode, file)));
          }
          return runs;
        });
      }
      return all.compose(list -> RunQueue.insert(client, list)).mapEmpty();
    });
  }

  private static JsonObject body(String event, String now, JsonObject podcast, JsonObject episode, JsonObject file) {
    var body = new JsonObject().put("event", event).put("time", now).put("podcast", podcast).put("episode", episode);
    return file == null ? body : body.put("file", file);
  }
}
