package io.castbus.scheduler.alert;

import io.castbus.common.Notifications;
import io.castbus.common.RunTypes;
import io.castbus.common.config.Settings;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.EventLevel;
import io.castbus.common.queue.RunContext;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Good news by webhook ({@link Notifications}): serves {@code deliver_webhook} — one JSON POST of the event's body to
 * the user's webhook (checked by the network policy like any URL a user gives) or to WEBHOOK_URL (the operator's
 * own, which may be on the private network) — retried and recorded like any run, never in the way of the work; and
 * queues the {@code run_failed} deliveries of users who asked for them about their own runs.
 */
final class WebhookDeliveries {

  private static final Duration TOTAL = Duration.ofSeconds(30);
  private static final long MAX_ANSWER = 64 * 1024;
  private static final OutboundHttp.Options OPTIONS = new OutboundHttp.Options(Duration.ofSeconds(5),
      Duration.ofSeconds(10), 0, "Castbus-Webhooks/1", true, 4);

  private final Pool pool;
  private final RunQueue queue;
  private final String adminUrl;
  private final OutboundHttp users;
  private final OutboundHttp operator;

  WebhookDeliveries(Vertx vertx, Pool pool, RunQueue queue, Settings settings) {
    this.pool = pool;
    this.queue = queue;
    this.adminUrl = settings.webhookUrl();
    this.users = new OutboundHttp(vertx, settings.networkPolicy(), OPTIONS, WebhookChannel.WORDS);
    this.operator = new OutboundHttp(vertx, new NetworkPolicy(true), OPTIONS, WebhookChannel.WORDS);
  }

  Future<JsonObject> deliver(RunContext ctx) {
    var userId = ctx.payload().getLong("user_id");
    var body = ctx.payload().getJsonObject("body", new JsonObject());
    Future<String> url = userId == null ? Future.succeededFuture(adminUrl)
        : pool.preparedQuery(AlertSql.USER_WEBHOOK).execute(Tuple.of(userId))
            .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    return url.compose(target -> {
      if (target == null) {
        ctx.event(EventLevel.INFO, "nothing to deliver: the webhook was removed");
        return Future.succeededFuture(new JsonObject().put("skipped", "no webhook"));
      }
      var http = userId == null ? operator : users;
      return http.open(OutboundHttp.Request.post(target, body.toBuffer(), "application/json", MAX_ANSWER, TOTAL))
          .compose(exchange -> {
            if (exchange.status() / 100 != 2) {
              exchange.discard();
              return Future.failedFuture(exchange.statusFailure());
            }
            return exchange.body().map(v -> {
              ctx.event(EventLevel.INFO, "delivered " + body.getString("event") + " (HTTP " + exchange.status() + ")");
              return new JsonObject().put("event", body.getString("event")).put("status", exchange.status());
            });
          });
    });
  }

  /** A run that failed for good: its owner's {@code run_failed} delivery, when they asked for one. */
  Future<Void> runFailed(UUID runId) {
    return pool.preparedQuery(AlertSql.FAILED_RUN_FOR_WEBHOOK).execute(Tuple.of(runId, RunTypes.DELIVER_WEBHOOK,
        Notifications.RUN_FAILED)).compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          var r = rows.iterator().next();
          var error = r.getJsonObject("error");
          var body = new JsonObject().put("event", Notifications.RUN_FAILED).put("time", Instant.now().toString())
              .put("run", new JsonObject().put("id", runId.toString()).put("type", r.getString("type"))
                  .put("job_id", r.getString("job_id"))
                  .put("error", error == null ? null : error.getString("message")));
          return queue.enqueueAll(List.of(Notifications.delivery(r.getLong("owner_id"), r.getString("owner"), body)
              .dedupe("run_failed:" + runId))).mapEmpty();
        });
  }

  Future<Void> close() {
    return users.close().eventually(operator::close);
  }
}
