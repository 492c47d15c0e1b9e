package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.Authenticator;
import io.castbus.gateway.auth.FeedTokens;
import io.castbus.gateway.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The library served back out: each user's personal feeds ({@code /feeds/<token>/all.xml}, one per podcast at
 * {@code /feeds/<token>/podcasts/<id>.xml}), their enclosures ({@code /feeds/<token>/media/<episode>.<ext>}) and
 * covers ({@code /feeds/<token>/covers/<podcast>.<ext>}, the image each feed names once the cover is kept, so a
 * phone never needs the source's host for it), the podcast covers of the API, and the feed addresses the API answers ({@code library_feed_url}, {@code library_media_url},
 * {@code GET /api/me}). Absolute addresses start with PUBLIC_BASE_URL when it is set, else with the scheme and host
 * the request came to. A token that is malformed, unknown or revoked, and anything not in its owner's library,
 * answers 404 with no detail.
 */
final class LibraryFeeds {

  private static final Pattern PODCAST_FILE = Pattern.compile("([1-9][0-9]{0,17})\\.xml");
  private static final Pattern MEDIA_FILE = Pattern.compile("([1-9][0-9]{0,17})\\.([a-z0-9]{1,8})");

  private final io.vertx.core.Vertx vertx;
  private final FeedTokens tokens;
  private final MediaFiles files;
  private final String publicBaseUrl;

  LibraryFeeds(io.vertx.core.Vertx vertx, FeedTokens tokens, MediaFiles files, String publicBaseUrl) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.files = files;
    this.publicBaseUrl = publicBaseUrl;
  }

  // ---- /feeds/… (the token is the credential)

  Handler<RoutingContext> allFeed() {
    return ctx -> owner(ctx).compose(owner -> feed(ctx, owner, null)).onComplete(ar -> answered(ctx, ar));
  }

  Handler<RoutingContext> podcastFeed() {
    return ctx -> {
      var m = PODCAST_FILE.matcher(ctx.pathParam("file"));
      if (!m.matches()) {
        notFound(ctx);
        return;
      }
      owner(ctx).compose(owner -> feed(ctx, owner, Long.parseLong(m.group(1)))).onComplete(ar -> answered(ctx, ar));
    };
  }

  Handler<RoutingContext> media() {
    return libraryFile(Addresses.LIBRARY_MEDIA, "episode_id", "file_path", "enclosure_type");
  }

  Handler<RoutingContext> libraryCover() {
    return libraryFile(Addresses.LIBRARY_COVER, "podcast_id", "cover_path", null);
  }

  /**
   * A file of the token owner's library, asked for as {@code <id>.<ext>}: looked up at {@code address} by
   * {@code idField}, and served from the answer's {@code pathField} when {@code <ext>} is that file's.
   */
  private Handler<RoutingContext> libraryFile(String address, String idField, String pathField, String typeField) {
    return ctx -> {
      var m = MEDIA_FILE.matcher(ctx.pathParam("file"));
      if (!m.matches()) {
        notFound(ctx);
        return;
      }
      owner(ctx)
          .compose(owner -> request(address, scope(owner).put(idField, Long.parseLong(m.group(1)))))
          .compose(file -> extension(file.getString(pathField)).equals(m.group(2))
              ? files.serve(ctx, file.getString(pathField), typeField == null ? null : file.getString(typeField))
              : Future.failedFuture(ServiceError.notFound("not found")))
          .onFailure(e -> failed(ctx, e));
    };
  }

  private Future<Void> feed(RoutingContext ctx, FeedTokens.Owner owner, Long podcastId) {
    var token = ctx.pathParam("token");
    var req = scope(owner);
    if (podcastId != null) {
      req.put("podcast_id", podcastId);
    }
    return request(Addresses.LIBRARY_FEED, req).compose(library -> {
      var podcasts = new HashMap<Long, JsonObject>();
      var base = base(ctx);
      library.getJsonArray("podcasts").forEach(p -> {
        var podcast = (JsonObject) p;
        var cover = (String) podcast.remove("cover_path");
        if (cover != null) {
          podcast.put("image_url", base + "/feeds/" + token + "/covers/" + podcast.getLong("id") + "."
              + extension(cover));
        }
        podcasts.put(podcast.getLong("id"), podcast);
      });
      RssWriter.Channel channel;
      if (podcastId != null) {
        var p = podcasts.get(podcastId);
        channel = new RssWriter.Channel(p.getString("title") == null ? p.getString("rss_url") : p.getString("title"),
            p.getString("description"), p.getString("site_url") != null ? p.getString("site_url") : base + "/",
            p.getString("author"), p.getString("language"), p.getString("image_url"));
      } else {
        channel = new RssWriter.Channel(owner.name() + "'s library", "Every downloaded episode of "
            + owner.name() + "'s podcasts, served by Castbus", base + "/", null, null, null);
      }
      Function<JsonObject, String> media = e -> mediaUrl(base, token, e.getLong("id"), e.getString("file_path"));
      var xml = RssWriter.write(channel, library.getJsonArray("episodes"), media, podcasts::get);
      return ctx.response().putHeader("content-type", "application/rss+xml; charset=utf-8")
          .putHeader("Cache-Control", "private, no-cache").end(xml);
    });
  }

  private Future<FeedTokens.Owner> owner(RoutingContext ctx) {
    return tokens.owner(ctx.pathParam("token"))
        .compose(owner -> owner.isPresent() ? Future.succeededFuture(owner.get())
            : Future.failedFuture(ServiceError.notFound("not found")));
  }

  // ---- the API

  /** {@code GET /api/me}. */
  Handler<RoutingContext> me() {
    return BusCall.answering(200, ctx -> {
      var principal = Authenticator.principal(ctx);
      return libraryOwner(principal).compose(owner -> owner.isEmpty() ? Future.succeededFuture((String) null)
              : tokens.tokenOf(owner.get().userId()).map(token -> allUrl(base(ctx), token)))
          .map(url -> new JsonObject().put("id", principal.userId()).put("name", principal.name())
              .put("role", principal.role().wire()).put("library_feed_url", url));
    });
  }

  /** {@code POST /api/me/feed-token}: a new token; the old one stops working on every gateway at once. */
  Handler<RoutingContext> newToken() {
    return BusCall.answering(201, ctx -> libraryOwner(Authenticator.principal(ctx)).compose(owner -> {
      if (owner.isEmpty()) {
        return Future.failedFuture(ServiceError.conflict("there is no user to hold a feed token yet: create one first"));
      }
      return tokens.rotate(owner.get().userId()).map(token -> {
        io.castbus.common.bus.AuthRevoked.user(owner.get().userId()).publish(ctx.vertx().eventBus());
        return new JsonObject().put("library_feed_url", allUrl(base(ctx), token));
      });
    }));
  }

  /** A podcast answer (one, or a list under {@code podcasts}) with each podcast's {@code library_feed_url}. */
  Handler<RoutingContext> podcasts(String address, int status, Function<RoutingContext, JsonObject> request) {
    return BusCall.answering(status, ctx -> request(address, request.apply(ctx))
        .compose(answer -> withToken(ctx, (owner, token) -> {
          var list = answer.getJsonArray("podcasts");
          for (var p : list != null ? list : new JsonArray().add(answer)) {
            var podcast = (JsonObject) p;
            podcast.put("library_feed_url", inLibrary(owner, podcast.getLong("owner_id"))
                ? base(ctx) + "/feeds/" + token + "/podcasts/" + podcast.getLong("id") + ".xml" : null);
          }
          return answer;
        })));
  }

  /** An episodes page with each downloaded episode's {@code library_media_url}, when the podcast is the caller's. */
  Handler<RoutingContext> episodes(String address, Function<RoutingContext, JsonObject> request) {
    return BusCall.answering(200, ctx -> request(address, request.apply(ctx))
        .compose(answer -> withToken(ctx, (owner, token) -> {
          var mine = inLibrary(owner, answer.getLong("owner_id"));
          for (var e : answer.getJsonArray("episodes")) {
            var episode = (JsonObject) e;
            var done = "completed".equals(episode.getString("download_status")) && episode.getString("file_path") != null;
            episode.put("library_media_url", mine && done
                ? mediaUrl(base(ctx), token, episode.getLong("id"), episode.getString("file_path")) : null);
          }
          return answer;
        })));
  }

  /** {@code GET /api/podcasts/{id}/cover}. */
  Handler<RoutingContext> cover() {
    return ctx -> request(Addresses.PODCASTS_COVER, BusCall.ownedId(ctx))
        .compose(found -> files.serve(ctx, found.getString("cover_path"), null))
        .onFailure(e -> HttpErrors.send(ctx, ServiceError.of(e)));
  }

  private interface WithToken {
    JsonObject apply(FeedTokens.Owner owner, String token);
  }

  private Future<JsonObject> withToken(RoutingContext ctx, WithToken body) {
    return libraryOwner(Authenticator.principal(ctx)).compose(owner -> owner.isEmpty()
        ? Future.succeededFuture(body.apply(null, null))
        : tokens.tokenOf(owner.get().userId()).map(token -> body.apply(owner.get(), token)));
  }

  /** Whose library the caller's feeds show: their own user, or the first admin for the local operator. */
  private Future<Optional<FeedTokens.Owner>> libraryOwner(Principal principal) {
    if (principal.userId() == null) {
      return tokens.localOperator();
    }
    return Future.succeededFuture(Optional.of(new FeedTokens.Owner(principal.userId(), principal.name(),
        principal.isAdmin())));
  }

  private static boolean inLibrary(FeedTokens.Owner owner, Long podcastOwner) {
    return owner != null && (podcastOwner == null ? owner.admin() : podcastOwner == owner.userId());
  }

  // ---- addresses

  private String base(RoutingContext ctx) {
    if (publicBaseUrl != null) {
      return publicBaseUrl;
    }
    var authority = ctx.request().authority();
    return ctx.request().scheme() + "://" + (authority == null ? "localhost" : authority.toString());
  }

  private static String allUrl(String base, String token) {
    return base + "/feeds/" + token + "/all.xml";
  }

  private static String mediaUrl(String base, String token, long episode, String filePath) {
    return base + "/feeds/" + token + "/media/" + episode + "." + extension(filePath);
  }

  /** The file's extension as the media address carries it: lowercase letters and digits, else {@code bin}. */
  static String extension(String filePath) {
    var name = java.nio.file.Path.of(filePath).getFileName().toString();
    var dot = name.lastIndexOf('.');
    var ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return ext.matches("[a-z0-9]{1,8}") ? ext : "bin";
  }

  private static JsonObject scope(FeedTokens.Owner owner) {
    return new JsonObject().put("owner_id", owner.userId()).put("admin", owner.admin());
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, BusCall.OPTIONS).map(Message::body);
  }

  private static void answered(RoutingContext ctx, io.vertx.core.AsyncResult<Void> ar) {
    if (ar.failed()) {
      failed(ctx, ar.cause());
    }
  }

  /** A library request that fails: 404 with no detail when it was not found, else the usual error. */
  private static void failed(RoutingContext ctx, Throwable e) {
    var error = ServiceError.of(e);
    if (error.status() == 404) {
      notFound(ctx);
    } else if (!ctx.response().ended()) {
      HttpErrors.send(ctx, error);
    }
  }

  private static void notFound(RoutingContext ctx) {
    if (!ctx.response().headWritten()) {
      ctx.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8").end("not found");
    }
  }
}
