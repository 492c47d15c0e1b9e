package io.castbus.downloads;

import io.castbus.common.config.MediaServerSettings;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

/**
 * Serves {@code notify_media_servers}: asks each configured media server to scan its library, as each documents it —
 * Plex {@code GET /library/sections/{id}/refresh} with {@code X-Plex-Token}, Jellyfin {@code POST /Library/Refresh}
 * with {@code X-Emby-Token}, Audiobookshelf {@code POST /api/libraries/{id}/scan} with a bearer token. Their hosts
 * are the one exception to the private-network refusal; redirects are not followed, so a token goes to the
 * configured server only, and no token appears in a message. One server failing fails the run (it is retried,
 * and alerts like any run), after every server was asked.
 */
final class MediaServers {

  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the media server URL", "the answer",
      "the media server", "HTTP %d", "unreachable", "timeout", "timeout", "too_large", false);
  private static final Duration TOTAL = Duration.ofSeconds(30);
  private static final long MAX_ANSWER = 1024 * 1024;

  private final MediaServerSettings servers;
  private final OutboundHttp http;

  MediaServers(Vertx vertx, MediaServerSettings servers, NetworkPolicy policy) {
    this.servers = servers;
    this.http = new OutboundHttp(vertx, policy, new OutboundHttp.Options(Duration.ofSeconds(10),
        Duration.ofSeconds(20), 0, Transfer.USER_AGENT, false, 2), WORDS);
  }

  Future<JsonObject> notify(RunContext ctx) {
    var asked = new ArrayList<Future<String>>();
    for (var server : servers.configured()) {
      asked.add(scan(server).map(v -> {
        var line = server.kind() + " at " + server.url() + " is scanning its library";
        ctx.log(line);
        ctx.event(EventLevel.INFO, line);
        return (String) null;
      }).recover(e -> {
        var why = server.kind() + " at " + server.url() + ": " + RunFailure.of(e).getMessage();
        ctx.event(EventLevel.WARN, why);
        return Future.succeededFuture(why);
      }));
    }
    return Future.join(asked).transform(all -> {
      var failures = new ArrayList<String>();
      var notified = new JsonArray();
      for (var i = 0; i < asked.size(); i++) {
        var failure = asked.get(i).result();
        if (failure == null) {
          notified.add(servers.configured().get(i).kind());
        } else {
          failures.add(failure);
        }
      }
      if (!failures.isEmpty()) {
        return Future.failedFuture(RunFailure.transientFailure("media_server_failed",
            "the library scan could not be asked of " + String.join("; ", failures)));
      }
      return Future.succeededFuture(new JsonObject().put("notified", notified));
    });
  }

  private Future<Void> scan(MediaServerSettings.Server server) {
    var request = switch (server.kind()) {
      case "plex" -> OutboundHttp.Request.get(server.url() + "/library/sections/" + server.library() + "/refresh",
          MAX_ANSWER, TOTAL).headers(Map.of("X-Plex-Token", server.token(), "Accept", "application/json"));
      case "jellyfin" -> OutboundHttp.Request.post(server.url() + "/Library/Refresh", Buffer.buffer(),
          "application/json", MAX_ANSWER, TOTAL).headers(Map.of("X-Emby-Token", server.token()));
      default -> OutboundHttp.Request.post(server.url() + "/api/libraries/" + server.library() + "/scan",
          Buffer.buffer(), "application/json", MAX_ANSWER, TOTAL).credentials("Bearer " + server.token());
    };
    return http.open(request).compose(exchange -> {
      if (exchange.status() / 100 != 2) {
        exchange.discard();
        return Future.failedFuture(exchange.statusFailure());
      }
      return exchange.body().mapEmpty();
    });
  }

  Future<Void> close() {
    return http.close();
  }
}
