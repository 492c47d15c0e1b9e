package io.castbus.scheduler;

import io.castbus.testkit.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.castbus.common.Addresses;
import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.NewRun;
import io.castbus.common.queue.RunFailure;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.castbus.scheduler.alert.AlertOptions;
import io.castbus.scheduler.alert.AlertVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Alerts by mail (a real SMTP server) and webhook (a loopback receiver), and per-job health")
class AlertTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AlertOptions FAST = new AlertOptions(Duration.ofMillis(200), Duration.ofHours(1),
      Duration.ofSeconds(1), 3.0, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

  private SchedulerFixture fx;
  private GreenMail smtp;
  private HttpServer receiver;
  private final List<JsonObject> hooks = new CopyOnWriteArrayList<>();
  private Process process;

  @BeforeEach
  void setUp() {
    fx = new SchedulerFixture("alerts");
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    smtp.setUser("alerts@castbus.test", "castbus", "s3cret");
  }

  @AfterEach
  void tearDown() {
    fx.close();
    smtp.stop();
  }

  private Process start(boolean webhookUp) {
    var helper = fx.process();
    receiver = Waits.await(helper.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      hooks.add(b.toJsonObject());
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    var hookPort = webhookUp ? receiver.actualPort() : 1;
    return start("http://127.0.0.1:" + hookPort + "/hooks/castbus");
  }

  private Process start(String webhookUrl) {
    process = fx.process(Map.of(
        "SMTP_HOST", "127.0.0.1", "SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()),
        "SMTP_USER", "castbus", "SMTP_PASSWORD", "s3cret", "SMTP_FROM", "castbus@castbus.test",
        "ALERT_EMAIL_TO", "ops@castbus.test, oncall@castbus.test",
        "WEBHOOK_URL", webhookUrl));
    Waits.await(process.vertx().deployVerticle(new AlertVerticle(process, FAST)));
    return process;
  }

  private void worker(String type, java.util.function.Function<io.castbus.common.queue.RunContext, Future<JsonObject>> handler) {
    var worker = new Worker(process.vertx(), new RunQueue(process.vertx(), process.pool()), WorkerOptions.DEFAULTS)
        .serve(type, JobTypeOptions.DEFAULTS.maxAttempts(1), handler::apply);
    Waits.await(process.vertx().deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        return worker.start();
      }

      @Override
      public Future<?> stop() {
        return worker.stop();
      }
    }));
  }

  private String enqueue(String type, JsonObject payload) {
    return Waits.await(new RunQueue(process.vertx(), process.pool()).enqueue(NewRun.of(type, payload)))
        .toString();
  }

  /** Waits for {@code n} delivered messages (one per recipient: each alert mail goes to two). */
  private void mails(int n) {
    Waits.until(WAIT, n + " messages delivered", () -> smtp.getReceivedMessages().length >= n);
  }

  private static String subject(jakarta.mail.internet.MimeMessage message) {
    try {
      return message.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new AssertionError(e);
    }
  }

  private JsonObject alert(String key) {
    var alerts = fx.request(process, Addresses.ALERTS_LIST, new JsonObject()).getJsonArray("alerts");
    return alerts.stream().map(JsonObject.class::cast).filter(a -> a.getString("key").equals(key)).findFirst()
        .orElse(null);
  }

  @Test
  @DisplayName("a run failed after its last attempt sends one mail and one webhook with the cause, once an hour per alert")
  void failedRunAlerts() throws Exception {
    start(true);
    worker("refresh_feed", ctx -> Future.failedFuture(RunFailure.permanent("http_404",
        "the feed http://feeds.example/" + ctx.payload().getInteger("podcast_id") + ".xml answered HTTP 404")));

    var first = enqueue("refresh_feed", new JsonObject().put("podcast_id", 7));
    mails(2);
    var mail = smtp.getReceivedMessages()[0];
    assertThat(mail.getSubject()).isEqualTo(
        "[Castbus] refresh_feed failed: the feed http://feeds.example/7.xml answered HTTP 404");
    assertThat(mail.getAllRecipients()).hasSize(2);
    var body = GreenMailUtil.getBody(mail);
    assertThat(body).contains("Run " + first, "not retried: http_404", "answered HTTP 404", "\"podcast_id\":7",
        "/api/runs/" + first);
    Waits.until(WAIT, "the webhook received the alert", () -> hooks.size() == 1);
    assertThat(hooks.get(0).getString("kind")).isEqualTo("run_failed");
    assertThat(hooks.get(0).getJsonObject("metadata").getString("run_id")).isEqualTo(first);

    enqueue("refresh_feed", new JsonObject().put("podcast_id", 7));
    var key = "run_failed:refresh_feed::{\"podcast_id\":7}";
    Waits.until(WAIT, "the second failure is counted", () -> alert(key) != null && alert(key).getInteger("count") == 2);
    enqueue("refresh_feed", new JsonObject().put("podcast_id", 8));
    mails(2 * 2);
    Waits.until(WAIT, "the other feed's webhook", () -> hooks.size() == 2);
    assertThat(smtp.getReceivedMessages()).as("the repeat within the hour is not sent again").hasSize(2 * 2);
    assertThat(java.util.Arrays.stream(smtp.getReceivedMessages()).map(AlertTest::subject))
        .filteredOn(subject -> subject.contains("8.xml")).hasSize(2);
    var recorded = alert(key);
    assertThat(recorded.getJsonObject("delivery").getString("mail")).isEqualTo("sent");
    assertThat(recorded.getJsonObject("delivery").getString("webhook")).isEqualTo("sent");
  }

  @Test
  @DisplayName("a webhook that is down is logged and recorded on the alert, and the mail still goes out")
  void webhookDown() {
    start(false);
    worker("download_episode", ctx -> Future.failedFuture(RunFailure.permanent("http_410", "gone")));
    enqueue("download_episode", new JsonObject().put("episode_id", 1));
    mails(2);
    var key = "run_failed:download_episode::{\"episode_id\":1}";
    Waits.until(WAIT, "the delivery is recorded",
        () -> alert(key) != null && alert(key).getJsonObject("delivery") != null);
    assertThat(alert(key).getJsonObject("delivery").getString("webhook")).startsWith("failed: ");
    assertThat(alert(key).getJsonObject("delivery").getString("mail")).isEqualTo("sent");
  }

  @Test
  @DisplayName("a webhook that takes the request and never answers is given up after 10 s of silence and recorded "
      + "on the alert; the mail goes out meanwhile")
  void webhookSilent() {
    var silent = Waits.await(fx.process().vertx().createHttpServer().requestHandler(req -> { })
        .listen(0, "127.0.0.1"));
    start("http://127.0.0.1:" + silent.actualPort() + "/hooks/castbus");
    worker("download_episode", ctx -> Future.failedFuture(RunFailure.permanent("http_410", "gone")));
    enqueue("download_episode", new JsonObject().put("episode_id", 2));
    mails(2);
    var key = "run_failed:download_episode::{\"episode_id\":2}";
    assertThat(alert(key).getJsonObject("delivery")).as("the webhook is still waited for").isNull();
    Waits.until(Duration.ofSeconds(40), "the delivery is recorded",
        () -> alert(key) != null && alert(key).getJsonObject("delivery") != null);
    assertThat(alert(key).getJsonObject("delivery").getString("webhook")).startsWith("failed: ").contains("10000ms");
    assertThat(alert(key).getJsonObject("delivery").getString("mail")).isEqualTo("sent");
  }

  @Test
  @DisplayName("runs no live worker serves raise no_worker and queue_backlog alerts; an overrunning run raises its own")
  void watchedConditions() {
    start(true);
    enqueue("orphan_type", new JsonObject());
    Waits.until(WAIT, "no_worker alert", () -> alert("no_worker:orphan_type") != null);
    Waits.until(WAIT, "backlog alert", () -> alert("queue_backlog:orphan_type") != null);
    assertThat(alert("no_worker:orphan_type").getString("message"))
        .contains("no running process serves orphan_type", "no worker serving orphan_type has ever been seen");

    var never = Promise.<JsonObject>promise();
    worker("slow_type", ctx -> never.future());
    var slow = enqueue("slow_type", new JsonObject());
    Waits.until(WAIT, "overrun alert", () -> alert("run_overrunning:" + slow) != null);
    assertThat(alert("run_overrunning:" + slow).getString("subject")).startsWith("slow_type run " + slow);
    assertThat(alert("no_worker:slow_type")).as("a live worker serves slow_type").isNull();
    mails(3 * 2);
  }

  @Test
  @DisplayName("per-job health: a job whose last run failed is failing, with the reason; failure rate and p95 in stats")
  void jobHealth() {
    start(true);
    Waits.await(new JobRegistry(process.vertx(), process.pool()).register(List.of(
        JobDefinition.of("nightly_report", "Nightly Report", "report", Trigger.every(Duration.ofHours(1))))));
    Waits.await(process.vertx().deployVerticle(new SchedulerVerticle(process)));
    worker("report", ctx -> Future.failedFuture(RunFailure.permanent("broken", "the report template is missing")));
    var run = fx.request(process, Addresses.JOBS_TRIGGER, new JsonObject().put("id", "nightly_report"))
        .getString("run_id");
    Waits.until(WAIT, "the run failed", () -> "failed".equals(fx.rows(process,
        "select status from runs where id = $1::uuid", run).get(0).getString(0)));

    var health = fx.request(process, Addresses.JOBS_HEALTH, new JsonObject());
    assertThat(health.getString("status")).isEqualTo("degraded");
    var job = health.getJsonArray("jobs").stream().map(JsonObject.class::cast)
        .filter(j -> j.getString("id").equals("nightly_report")).findFirst().orElseThrow();
    assertThat(job.getString("status")).isEqualTo("failing");
    assertThat(job.getJsonArray("reasons").getString(0)).contains("last run failed", run);
    assertThat(job.getJsonObject("stats").getDouble("failure_rate")).isEqualTo(1.0);
    assertThat(job.getJsonObject("stats").containsKey("p95_duration_ms")).isTrue();
  }
}
