package io.castbus.scheduler.alert;

import io.castbus.common.queue.RunStatus;
import io.castbus.common.bus.RunUpdate;
import io.castbus.common.Addresses;
import io.castbus.common.BusService;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.RunQueue;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the runs and tells people when something needs them (seed 001): a run failed after its last attempt, a run
 * far past its usual duration, a backlog, a run type no live worker serves. Alerts go by mail (SMTP_HOST,
 * ALERT_EMAIL_TO) and webhook (WEBHOOK_URL), once per alert per hour across every replica, and are listed at
 * {@code castbus.alerts.list}. Also serves {@code deliver_webhook} (good news to users' webhooks and WEBHOOK_URL)
 * and queues users' {@code run_failed} deliveries.
 */
public final class AlertVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private final Process process;
  private final AlertOptions options;
  private AlertLog log;
  private AlertChecks checks;
  private long timer = -1;
  private WebhookDeliveries deliveries;
  private io.castbus.common.queue.Worker worker;

  public AlertVerticle(Process process) {
    this(process, AlertOptions.DEFAULTS);
  }

  public AlertVerticle(Process process, AlertOptions options) {
    this.process = process;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    log = new AlertLog(vertx, process.pool(), channels(), options);
    checks = new AlertChecks(process.pool(), new RunQueue(vertx, process.pool()), options);
    var queue = new RunQueue(vertx, process.pool());
    deliveries = new WebhookDeliveries(vertx, process.pool(), queue, process.settings());
    worker = new io.castbus.common.queue.Worker(vertx, queue, io.castbus.common.queue.WorkerOptions.DEFAULTS)
        .serve(io.castbus.common.RunTypes.DELIVER_WEBHOOK, io.castbus.common.queue.JobTypeOptions.DEFAULTS
            .concurrency(4), deliveries::deliver);
    var failures = vertx.eventBus().<JsonObject>consumer(RunUpdate.ADDRESS, msg -> {
      var update = RunUpdate.from(msg.body());
      if (RunStatus.FAILED.wire().equals(update.status())) {
        raiseAll(checks.failedRun(update.runId()));
        deliveries.runFailed(update.runId()).onFailure(e -> LOG.warn("The run_failed delivery of run {} could not "
            + "be queued: {}", update.runId(), e.getMessage()));
      }
    });
    timer = vertx.setPeriodic(options.checkEvery().toMillis(), t -> raiseAll(checks.conditions()));
    return Future.all(failures.completion(),
        BusService.serve(vertx, Addresses.ALERTS_LIST, q -> log.list(Math.min(q.getInteger("limit", 100), 1000))))
        .compose(v -> worker.start());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return worker.stop().eventually(() -> deliveries.close());
  }

  private List<AlertChannel> channels() {
    var settings = process.settings();
    var channels = new ArrayList<AlertChannel>();
    var mail = MailChannel.of(vertx, settings);
    if (mail != null) {
      channels.add(mail);
    }
    if (settings.webhookUrl() != null) {
      channels.add(new WebhookChannel(vertx, settings.webhookUrl()));
    }
    LOG.info("Alerts go to: {}", channels.isEmpty() ? "the alert list only (no SMTP_HOST/ALERT_EMAIL_TO or WEBHOOK_URL)"
        : channels.stream().map(AlertChannel::name).toList());
    return channels;
  }

  private void raiseAll(Future<List<Alert>> found) {
    found.compose(alerts -> Future.join(alerts.stream().map(log::raise).toList()))
        .onFailure(e -> LOG.warn("Could not check or record alerts: {}", e.getMessage()));
  }
}
