package io.castbus.scheduler.alert;

import io.castbus.common.Addresses;
import io.castbus.common.queue.RunJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every alert in the database and delivers it over the configured channels at most once per key per
 * {@link AlertOptions#resendAfter()}, whichever replica sees it first. A channel's failure is logged and recorded
 * on the alert; it never fails the caller.
 */
final class AlertLog {

  private static final Logger LOG = LoggerFactory.getLogger(AlertLog.class);
  private static final long SEND_TIMEOUT_S = 30;

  private final Vertx vertx;
  private final Pool pool;
  private final List<AlertChannel> channels;
  private final AlertOptions options;

  AlertLog(Vertx vertx, Pool pool, List<AlertChannel> channels, AlertOptions options) {
    this.vertx = vertx;
    this.pool = pool;
    this.channels = channels;
    this.options = options;
  }

  /** Records the alert; completes with whether it was delivered now. */
  Future<Boolean> raise(Alert alert) {
    return pool.preparedQuery(AlertSql.RECORD)
        .execute(Tuple.of(alert.key(), alert.kind(), alert.ref(), alert.subject(), alert.message(), alert.metadata(),
            options.resendAfter().toSeconds()))
        .compose(rows -> {
          if (rows.size() == 0 || !rows.iterator().next().getBoolean("deliver")) {
            return Future.succeededFuture(false);
          }
          LOG.warn("Alert {}: {}", alert.key(), alert.subject());
          return deliver(alert).map(true);
        });
  }

  Future<JsonObject> list(int limit) {
    return pool.preparedQuery(AlertSql.LIST).execute(Tuple.of(limit)).map(rows -> {
      var alerts = new JsonArray();
      rows.forEach(row -> alerts.add(json(row)));
      return new JsonObject().put("alerts", alerts);
    });
  }

  private Future<Void> deliver(Alert alert) {
    var delivery = new JsonObject();
    var sends = channels.stream().map(channel -> channel.send(alert)
        .timeout(SEND_TIMEOUT_S, TimeUnit.SECONDS)
        .onSuccess(v -> delivery.put(channel.name(), "sent"))
        .onFailure(e -> {
          LOG.warn("Could not send alert {} by {}: {}", alert.key(), channel.name(), e.getMessage());
          delivery.put(channel.name(), "failed: " + e.getMessage());
        })).toList();
    return Future.join(sends).transform(done -> {
      vertx.eventBus().publish(Addresses.ALERTS_FIRED, alert.toJson().put("delivery", delivery));
      return pool.preparedQuery(AlertSql.DELIVERED).execute(Tuple.of(alert.key(), delivery)).<Void>mapEmpty();
    }).recover(e -> {
      LOG.warn("Could not record the delivery of alert {}: {}", alert.key(), e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static JsonObject json(Row row) {
    return new JsonObject()
        .put("key", row.getString("key"))
        .put("kind", row.getString("kind"))
        .put("subject", row.getString("subject"))
        .put("message", row.getString("message"))
        .put("metadata", row.getJsonObject("metadata"))
        .put("count", row.getInteger("count"))
        .put("first_at", RunJson.time(row.getOffsetDateTime("first_at")))
        .put("last_at", RunJson.time(row.getOffsetDateTime("last_at")))
        .put("last_sent_at", RunJson.time(row.getOffsetDateTime("last_sent_at")))
        .put("delivery", row.getJsonObject("delivery"));
  }
}
