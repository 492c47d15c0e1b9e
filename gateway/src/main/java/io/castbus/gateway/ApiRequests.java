package io.castbus.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How each API request becomes the message its service takes: one named method per operation that needs one. */
final class ApiRequests {

  /** Where the charset of an XML body is kept for the service that reads it (see {@link RootHandlers}). */
  static final String XML_CHARSET = "castbus.xml-charset";

  private ApiRequests() {
  }

  static JsonObject none(RoutingContext ctx) {
    return new JsonObject();
  }

  static JsonObject updateJob(RoutingContext ctx) {
    return ctx.body().asJsonObject().copy().put("id", ctx.pathParam("id"));
  }

  /** The job's payload, with the cleanup options a trigger may give at the top level merged in. */
  static JsonObject triggerJob(RoutingContext ctx) {
    var body = ctx.body().length() <= 0 ? new JsonObject() : ctx.body().asJsonObject();
    var payload = body.getJsonObject("payload", new JsonObject()).copy();
    for (var option : new String[] {"dry_run", "delete_orphans"}) {
      if (body.containsKey(option)) {
        payload.put(option, body.getValue(option));
      }
    }
    return BusCall.caller(ctx).put("id", ctx.pathParam("id")).put("payload", payload);
  }

  static JsonObject listAlerts(RoutingContext ctx) {
    return new JsonObject().put("limit", Params.limit(ctx, 100));
  }

  /** The runs listing's query parameters, as the runs service takes them. */
  static JsonObject listRuns(RoutingContext ctx) {
    var q = new JsonObject();
    for (var name : new String[] {"status", "job", "type", "cursor", "podcast", "episode", "q", "created_after",
        "created_before"}) {
      q.put(name, ctx.request().getParam(name));
    }
    return q.put("limit", Params.limit(ctx, 50));
  }

  /** A bulk action's body, and who asks for it (the service records them). */
  static JsonObject bulkRuns(RoutingContext ctx) {
    return ctx.body().asJsonObject().copy().mergeIn(actor(ctx));
  }

  static JsonObject jobStats(RoutingContext ctx) {
    return new JsonObject().put("job", ctx.pathParam("id"));
  }

  static JsonObject typeStats(RoutingContext ctx) {
    return new JsonObject().put("type", ctx.pathParam("type"));
  }

  static JsonObject capRunType(RoutingContext ctx) {
    return actor(ctx).put("type", ctx.pathParam("type"))
        .put("concurrency", ctx.body().asJsonObject().getValue("concurrency"));
  }

  static JsonObject pauseRunType(RoutingContext ctx, boolean paused) {
    return actor(ctx).put("type", ctx.pathParam("type")).put("paused", paused);
  }

  /** Who makes a change that is recorded: the caller's name and user id. */
  static JsonObject actor(RoutingContext ctx) {
    var principal = io.castbus.gateway.auth.Authenticator.principal(ctx);
    return new JsonObject().put("actor", principal.name()).put("actor_id", principal.userId());
  }

  static JsonObject runEvents(RoutingContext ctx) {
    var after = Params.queryLong(ctx, "after");
    return BusCall.id(ctx).put("after", after == null ? 0L : after).put("limit", Params.limit(ctx, 1000));
  }

  static JsonObject addPodcast(RoutingContext ctx) {
    return ctx.body().asJsonObject().copy().mergeIn(BusCall.caller(ctx));
  }

  static JsonObject importPodcasts(RoutingContext ctx) {
    return BusCall.caller(ctx).put("opml", ctx.body().buffer().getBytes()).put("charset", ctx.<String>get(XML_CHARSET));
  }

  /** A body of changes to the caller's thing named by the {@code id} path parameter. */
  static JsonObject updateOwned(RoutingContext ctx) {
    return ctx.body().asJsonObject().copy().mergeIn(BusCall.ownedId(ctx));
  }

  /** A job, with the next {@code preview} fire times when asked for. */
  static JsonObject getJob(RoutingContext ctx) {
    var preview = Params.queryLong(ctx, "preview");
    var q = BusCall.id(ctx);
    return preview == null ? q : q.put("preview", preview.intValue());
  }

  /** A podcast search: {@code q} and {@code limit} (the service checks them). */
  static JsonObject search(RoutingContext ctx) {
    return new JsonObject().put("q", ctx.request().getParam("q", "")).put("limit", Params.limit(ctx, 20));
  }

  /** The back catalogue: the optional {@code {"limit", "ignore_filters"}} body, the caller and the podcast id. */
  static JsonObject downloadAll(RoutingContext ctx) {
    var body = ctx.body() == null ? null : ctx.body().asJsonObject();
    return (body == null ? new JsonObject() : body.copy()).mergeIn(BusCall.ownedId(ctx));
  }

  static JsonObject deletePodcast(RoutingContext ctx) {
    return BusCall.ownedId(ctx).put("delete_files", Boolean.parseBoolean(ctx.request().getParam("delete_files")));
  }

  static JsonObject listEpisodes(RoutingContext ctx) {
    return BusCall.caller(ctx).put("podcast_id", Params.pathLong(ctx, "id")).put("limit", Params.limit(ctx, 50))
        .put("cursor", ctx.request().getParam("cursor"));
  }

  static JsonObject listDownloads(RoutingContext ctx) {
    return BusCall.caller(ctx).put("status", ctx.request().getParam("status"))
        .put("podcast", Params.queryLong(ctx, "podcast")).put("limit", Params.limit(ctx, 100));
  }
}
