package io.castbus.gateway;

import io.castbus.common.bus.AuthRevoked;
import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.castbus.gateway.auth.AuthStore;
import io.castbus.gateway.auth.Authenticator;
import io.castbus.gateway.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Users and their API keys: admins create, list and delete users and see a user's runs; every user manages their own
 * keys. Keys are shown once, at creation; revoking one is published so every gateway forgets it at once.
 */
final class UsersApi {

  static final int MAX_LISTED = 1000;

  private final AuthStore store;

  UsersApi(AuthStore store) {
    this.store = store;
  }

  Handler<RoutingContext> createUser() {
    return BusCall.answering(201, ctx -> {
      var body = ctx.body().asJsonObject();
      var name = body.getString("name");
      return store.createUser(name, Principal.Role.parse(body.getString("role", "user"))).map(created -> created
          .orElseThrow(() -> ServiceError.conflict("a user named '" + name + "' already exists")));
    });
  }

  Handler<RoutingContext> listUsers() {
    return BusCall.answering(200, ctx -> store.users(MAX_LISTED).map(users -> new JsonObject().put("users", users)));
  }

  /**
   * Deletes a user. What they owned goes to the admin who deletes them ({@code owned=reassign}), or is deleted
   * ({@code owned=delete}: their podcasts through the feeds service, files included, then their finished runs).
   */
  Handler<RoutingContext> deleteUser() {
    return BusCall.answering(200, ctx -> {
      var id = id(ctx, "id");
      var admin = Authenticator.principal(ctx);
      if (id.equals(admin.userId())) {
        throw ServiceError.conflict("you cannot delete the user you are signed in as");
      }
      var owned = ctx.request().getParam("owned", "reassign");
      return store.user(id).compose(user -> {
        if (user.isEmpty()) {
          return Future.failedFuture(ServiceError.notFound("no user with id " + id));
        }
        var podcasts = owned.equals("delete") ? deletePodcasts(ctx, id) : Future.succeededFuture(0);
        return podcasts.compose(deletedPodcasts -> store.deleteUser(id, owned.equals("delete"), admin)
            .map(moved -> {
              revoked(ctx, AuthRevoked.user(id));
              return new JsonObject().put("deleted", true).put("owned", owned)
                  .put("podcasts", deletedPodcasts + moved.podcasts()).put("runs", moved.runs());
            }));
      });
    });
  }

  /** Deletes every podcast of the user, files included, through the feeds service; answers how many. */
  private static Future<Integer> deletePodcasts(RoutingContext ctx, long userId) {
    var bus = ctx.vertx().eventBus();
    var theirs = new JsonObject().put("owner_id", userId).put("admin", false);
    return bus.<JsonObject>request(Addresses.PODCASTS_LIST, theirs, BusCall.OPTIONS).compose(reply -> {
      var ids = reply.body().getJsonArray("podcasts").stream().map(p -> ((JsonObject) p).getLong("id")).toList();
      Future<Void> chain = Future.succeededFuture();
      for (var podcast : ids) {
        chain = chain.compose(v -> bus.<JsonObject>request(Addresses.PODCASTS_DELETE, new JsonObject()
            .put("id", podcast).put("admin", true).put("delete_files", true), BusCall.OPTIONS).mapEmpty());
      }
      return chain.map(v -> ids.size());
    });
  }

  /** The runs of one user, through the runs service, filtered on the user's name. */
  Handler<RoutingContext> userRuns() {
    return ctx -> store.user(id(ctx, "id")).onComplete(found -> {
      if (found.failed()) {
        HttpErrors.send(ctx, ServiceError.of(found.cause()));
      } else if (found.result().isEmpty()) {
        HttpErrors.send(ctx, ServiceError.notFound("no user with id " + ctx.pathParam("id")));
      } else {
        var owner = found.result().get().getLong("id");
        BusCall.to(Addresses.RUNS_LIST, 200, c -> ApiRequests.listRuns(c).put("owner_id", owner)).handle(ctx);
      }
    });
  }

  Handler<RoutingContext> createKey() {
    return BusCall.answering(201, ctx -> store.createKey(me(ctx)));
  }

  Handler<RoutingContext> listKeys() {
    return BusCall.answering(200,
        ctx -> store.keys(me(ctx), MAX_LISTED).map(keys -> new JsonObject().put("keys", keys)));
  }

  Handler<RoutingContext> deleteKey() {
    return BusCall.answering(200, ctx -> {
      var keyId = id(ctx, "id");
      return store.deleteKey(me(ctx), keyId).map(deleted -> {
        if (!deleted) {
          throw ServiceError.notFound("you have no key with id " + keyId);
        }
        revoked(ctx, AuthRevoked.key(keyId));
        return new JsonObject().put("deleted", true);
      });
    });
  }

  private static long me(RoutingContext ctx) {
    var userId = Authenticator.principal(ctx).userId();
    if (userId == null) {
      throw ServiceError.badRequest("the local operator has no user of its own: create one with POST /api/admin/users "
          + "and use its key");
    }
    return userId;
  }

  private static Long id(RoutingContext ctx, String name) {
    return Params.pathLong(ctx, name);
  }

  /**
   * Tells every gateway that a key ({@code key_id}) or all of a user's keys ({@code user_id}) stopped working: they
   * forget cached lookups and close that key's or user's live streams.
   */
  static void revoked(RoutingContext ctx, AuthRevoked which) {
    which.publish(ctx.vertx().eventBus());
  }
}
