package io.castbus.gateway;

import io.castbus.common.Addresses;
import io.castbus.common.ops.Health;
import io.castbus.common.ops.OpsRoutes;
import io.castbus.gateway.auth.Authenticator;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * The route table: each OpenAPI operation id and what answers it. Most operations are one event-bus request to
 * the service that owns the data ({@link BusCall}), its message built by {@link ApiRequests}; {@code admin} marks
 * the operations only an admin may call.
 */
final class ApiRoutes {

  private final RouterBuilder builder;

  private ApiRoutes(RouterBuilder builder) {
    this.builder = builder;
  }

  static void mount(RouterBuilder builder, Contract contract, Health health, EventStream events, SessionApi session,
      UsersApi users, LibraryFeeds library, NotificationsApi notifications) {
    var admin = Authenticator.requireAdmin();
    var t = new ApiRoutes(builder);

    t.on("listJobs", BusCall.to(Addresses.JOBS_LIST, 200, ApiRequests::none));
    t.on("getJob", BusCall.to(Addresses.JOBS_GET, 200, ApiRequests::getJob));
    t.on("updateJob", admin, BusCall.to(Addresses.JOBS_UPDATE, 200, ApiRequests::updateJob));
    t.on("triggerJob", admin, BusCall.to(Addresses.JOBS_TRIGGER, 202, ApiRequests::triggerJob));
    t.on("pauseJob", admin, BusCall.to(Addresses.JOBS_PAUSE, 200, BusCall::id));
    t.on("resumeJob", admin, BusCall.to(Addresses.JOBS_RESUME, 200, BusCall::id));
    t.on("jobsHealth", BusCall.to(Addresses.JOBS_HEALTH, 200, ApiRequests::none));

    t.on("listRuns", RunsAccess.list());
    t.on("getRun", RunsAccess.get());
    t.on("getRunEvents", RunsAccess.events());
    t.on("deleteRun", admin, BusCall.to(Addresses.RUNS_DELETE, 200, BusCall::id));
    t.on("cancelRun", admin, BusCall.to(Addresses.RUNS_CANCEL_REQUEST, 200, BusCall::id));
    t.on("retryRun", RunsAccess.retry());
    t.on("bulkRuns", RunsAccess.bulk());
    t.on("listRunActions", RunsAccess.actions());
    t.on("previewJobTrigger", BusCall.to(Addresses.JOBS_PREVIEW, 200, ApiRequests::updateJob));
    t.on("getJobStats", BusCall.to(Addresses.RUNS_STATS, 200, ApiRequests::jobStats));
    t.on("listRunTypes", admin, BusCall.to(Addresses.RUN_TYPES_LIST, 200, ApiRequests::none));
    t.on("updateRunType", admin, BusCall.to(Addresses.RUN_TYPES_UPDATE, 200, ApiRequests::capRunType));
    t.on("pauseRunType", admin,
        BusCall.to(Addresses.RUN_TYPES_UPDATE, 200, ctx -> ApiRequests.pauseRunType(ctx, true)));
    t.on("resumeRunType", admin,
        BusCall.to(Addresses.RUN_TYPES_UPDATE, 200, ctx -> ApiRequests.pauseRunType(ctx, false)));
    t.on("getRunTypeStats", admin, BusCall.to(Addresses.RUNS_STATS, 200, ApiRequests::typeStats));
    t.on("streamEvents", events::handle);
    // Alerts quote any user's failed runs (payloads, errors): admins only.
    t.on("listAlerts", admin, BusCall.to(Addresses.ALERTS_LIST, 200, ApiRequests::listAlerts));

    t.on("createSession", session.login());
    t.on("getSession", session.current());
    t.on("deleteSession", session.logout());

    t.on("createUser", admin, users.createUser());
    t.on("listUsers", admin, users.listUsers());
    t.on("deleteUser", admin, users.deleteUser());
    t.on("listUserRuns", admin, users.userRuns());
    t.on("createMyKey", users.createKey());
    t.on("listMyKeys", users.listKeys());
    t.on("deleteMyKey", users.deleteKey());

    t.on("getMe", library.me());
    t.on("createFeedToken", library.newToken());
    t.on("getMyNotifications", notifications.get());
    t.on("setMyNotifications", notifications.put());

    t.on("searchPodcasts", SearchLimit.perUser(), BusCall.to(Addresses.SEARCH_PODCASTS, 200, ApiRequests::search));
    t.on("listPodcasts", library.podcasts(Addresses.PODCASTS_LIST, 200, BusCall::caller));
    t.on("addPodcast", library.podcasts(Addresses.PODCASTS_ADD, 201, ApiRequests::addPodcast));
    t.on("importPodcasts", BusCall.to(Addresses.PODCASTS_IMPORT, 200, ApiRequests::importPodcasts));
    t.on("exportPodcasts", BusCall.text(Addresses.PODCASTS_EXPORT, "opml", "text/x-opml; charset=utf-8",
        BusCall::caller));
    t.on("getPodcast", library.podcasts(Addresses.PODCASTS_GET, 200, BusCall::ownedId));
    t.on("updatePodcast", library.podcasts(Addresses.PODCASTS_UPDATE, 200, ApiRequests::updateOwned));
    t.on("getPodcastCover", library.cover());
    t.on("deletePodcast", BusCall.to(Addresses.PODCASTS_DELETE, 200, ApiRequests::deletePodcast));
    t.on("refreshPodcast", BusCall.to(Addresses.PODCASTS_REFRESH, 202, BusCall::ownedId));
    t.on("downloadAllEpisodes", BusCall.to(Addresses.PODCASTS_DOWNLOAD_ALL, 202, ApiRequests::downloadAll));
    t.on("listEpisodes", library.episodes(Addresses.EPISODES_LIST, ApiRequests::listEpisodes));
    t.on("updateEpisode", BusCall.to(Addresses.EPISODES_UPDATE, 200, ApiRequests::updateOwned));
    t.on("listDownloads", BusCall.to(Addresses.DOWNLOADS_LIST, 200, ApiRequests::listDownloads));
    t.on("downloadEpisode", BusCall.to(Addresses.EPISODES_DOWNLOAD, 202, BusCall::ownedId));

    // The personal feeds: no key (podcast apps cannot send one); the token in the path is the credential.
    t.on("libraryAllFeed", library.allFeed());
    t.on("libraryPodcastFeed", library.podcastFeed());
    t.on("libraryMedia", library.media());
    t.on("headLibraryMedia", library.media());
    t.on("libraryCover", library.libraryCover());

    t.on("getOpenApi", ctx -> ctx.response().putHeader("content-type", "application/yaml").end(contract.yaml()));
    t.on("live", OpsRoutes.live());
    t.on("ready", OpsRoutes.ready(health));
    t.on("started", OpsRoutes.started(health));
    t.on("metrics", OpsRoutes.metrics());
  }

  @SafeVarargs
  private void on(String operationId, Handler<RoutingContext>... handlers) {
    var route = builder.getRoute(operationId);
    for (var handler : handlers) {
      route.addHandler(handler);
    }
    route.addFailureHandler(HttpErrors::handle);
  }
}
