package io.castbus.feeds;

import io.castbus.common.RunTypes;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.ops.Meters;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunFailure;
import io.castbus.common.queue.RunJson;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Objects;

/**
 * Refreshes podcasts: fetches the feed (conditionally), parses it off the event loop, stores its episodes and queues
 * the downloads, all in one transaction; a failure is recorded on the podcast with a growing backoff.
 */
final class Refresher {

  /** A feed fetched and, unless it was not modified, parsed; {@code movedTo} is its new URL when it moved. */
  record Read(FeedFetcher.Fetched fetched, ParsedFeed feed, String movedTo) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final RunQueue queue;
  private final FeedFetcher fetcher;
  private final StoredCredentials credentials;
  private final boolean adminNews;

  Refresher(Vertx vertx, Pool pool, RunQueue queue, FeedFetcher fetcher, StoredCredentials credentials,
      boolean adminNews) {
    this.adminNews = adminNews;
    this.vertx = vertx;
    this.pool = pool;
    this.queue = queue;
    this.fetcher = fetcher;
    this.credentials = credentials;
  }

  /** The {@code refresh_feed} run: one podcast. */
  Future<JsonObject> run(RunContext ctx) {
    var id = ctx.payload().getValue("podcast_id");
    if (!(id instanceof Number number)) {
      return Future.failedFuture(RunFailure.permanent("bad_payload", "refresh_feed needs a numeric podcast_id, got "
          + ctx.payload().encode()));
    }
    return pool.preparedQuery(FeedsSql.PODCAST_TO_REFRESH).execute(Tuple.of(number.longValue())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(RunFailure.permanent("podcast_not_found", "podcast " + id + " no longer exists"));
      }
      var row = rows.iterator().next();
      var podcast = Podcast.of(row);
      var name = row.getString("title") == null ? "podcast " + podcast.id()
          : "podcast " + podcast.id() + " '" + row.getString("title") + "'";
      return refresh(podcast).map(result -> {
        Meters.count("castbus_feed_refreshes", "Feed refreshes by outcome", 1, "outcome",
            result.getBoolean("not_modified", false) ? "not_modified" : "changed");
        var line = describe(podcast, result);
        ctx.log(line);
        ctx.event(EventLevel.INFO, line, result);
        return result;
      }).recover(e -> failed(ctx, podcast, name, e));
    });
  }

  /** Refreshes one podcast and answers what changed. */
  Future<JsonObject> refresh(Podcast p) {
    return credentials.of(p.id()).compose(auth -> read(p.rssUrl(), new FeedFetcher.Validators(p.etag(),
        p.lastModified()), true, auth)).compose(read -> {
      if (read.fetched().notModified()) {
        return pool.preparedQuery(FeedsSql.NOT_MODIFIED).execute(Tuple.of(p.id(), read.movedTo()))
            .map(v -> new JsonObject().put("not_modified", true).put("podcast_id", p.id()));
      }
      return store(p, read).map(stored -> stored.toJson().put("not_modified", false).put("podcast_id", p.id()));
    });
  }

  /** Stores a read in one transaction, then wakes the workers of the runs it queued. */
  Future<EpisodeStore.Stored> store(Podcast p, Read read) {
    return pool.withTransaction(conn -> EpisodeStore.store(conn, p, read.feed(), read.fetched(), read.movedTo(),
            adminNews))
        .onSuccess(stored -> queue.wake(stored.queuedTypes()));
  }

  /** Fetches and parses a feed, following a legacy redirect document once. */
  Future<Read> read(String url, FeedFetcher.Validators validators, boolean followDocumentRedirect,
      FeedCredentials auth) {
    return fetcher.fetch(url, validators, auth).compose(fetched -> {
      if (fetched.notModified()) {
        return Future.succeededFuture(new Read(fetched, null, fetched.movedTo()));
      }
      return vertx.executeBlocking(() -> FeedParser.parse(fetched.body(), fetched.charset(), fetched.finalUrl()), false)
          .compose(feed -> {
            if (!feed.isRedirectOnly()) {
              return Future.succeededFuture(new Read(fetched, feed, movedTo(url, fetched, feed)));
            }
            if (!followDocumentRedirect) {
              return Future.failedFuture(RunFailure.permanent("redirect_loop", "the feed's new location "
                  + feed.newFeedUrl() + " says it moved again"));
            }
            return read(feed.newFeedUrl(), FeedFetcher.Validators.NONE, false, auth)
                .map(next -> new Read(next.fetched(), next.feed(),
                    next.movedTo() != null ? next.movedTo() : next.fetched().finalUrl()));
          });
    });
  }

  /** Where the feed says it lives now (itunes:new-feed-url), else where permanent redirects led, else null. */
  private static String movedTo(String url, FeedFetcher.Fetched fetched, ParsedFeed feed) {
    var announced = feed.newFeedUrl();
    if (announced != null && !announced.equals(url) && !announced.equals(fetched.finalUrl())) {
      try {
        return NetworkPolicy.parse(announced).toString();
      } catch (NetworkPolicy.Refused e) {
        return fetched.movedTo();
      }
    }
    return fetched.movedTo();
  }

  /**
   * Records the failure on the podcast and fails the run with the cause, the podcast named first so the run's error
   * (and an alert about it) says which podcast it is about.
   */
  private Future<JsonObject> failed(RunContext ctx, Podcast p, String name, Throwable e) {
    var why = RunFailure.of(e);
    Meters.count("castbus_feed_refreshes", "Feed refreshes by outcome", 1, "outcome", "failed");
    return pool.preparedQuery(FeedsSql.FAILED).execute(Tuple.of(p.id(), why.getMessage())).compose(rows -> {
      var row = rows.iterator().next();
      ctx.event(EventLevel.WARN, name + " (" + p.rssUrl() + "): " + why.getMessage(), new JsonObject()
          .put("podcast_id", p.id()).put("code", why.code())
          .put("consecutive_failures", row.getInteger("consecutive_failures"))
          .put("next_refresh_after", RunJson.time(row.getOffsetDateTime("next_refresh_after"))));
      return Future.failedFuture(why.about(name));
    });
  }

  private static String describe(Podcast p, JsonObject result) {
    if (result.getBoolean("not_modified")) {
      return "podcast " + p.id() + " (" + p.rssUrl() + "): not modified";
    }
    var line = "podcast " + p.id() + " (" + p.rssUrl() + "): " + result.getInteger("items") + " item(s), "
        + result.getInteger("added") + " new, " + result.getInteger("updated") + " updated, "
        + result.getInteger("queued_downloads") + " download(s) queued";
    if (!Objects.equals(result.getString("rss_url"), p.rssUrl())) {
      line += "; the feed moved to " + result.getString("rss_url");
    }
    return line;
  }
}
