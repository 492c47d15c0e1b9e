package io.castbus.scheduler.alert;

import io.castbus.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.Arrays;
import java.util.List;

/**
 * Alerts by mail through SMTP_HOST. STARTTLS is used whenever the server offers it; credentials are only sent over
 * TLS (STARTTLS required, or SMTP_PORT 465 for TLS from the start), except to a server on this machine. Sending
 * gives up after 10 s to connect or 30 s of silence ({@link AlertLog} bounds the whole send).
 */
final class MailChannel implements AlertChannel {

  private final MailClient client;
  private final String from;
  private final List<String> to;

  private MailChannel(MailClient client, String from, List<String> to) {
    this.client = client;
    this.from = from;
    this.to = to;
  }

  /** The channel SMTP_HOST and ALERT_EMAIL_TO describe, or null when mail is not configured. */
  static MailChannel of(Vertx vertx, Settings settings) {
    if (settings.smtpHost() == null || settings.alertEmailTo() == null) {
      return null;
    }
    var auth = settings.smtpUser() != null;
    var local = List.of("localhost", "127.0.0.1", "::1").contains(settings.smtpHost());
    var config = new MailConfig()
        .setHostname(settings.smtpHost())
        .setPort(settings.smtpPort())
        .setSsl(settings.smtpPort() == 465)
        .setStarttls(auth && !local && settings.smtpPort() != 465 ? StartTLSOptions.REQUIRED : StartTLSOptions.OPTIONAL)
        .setLogin(auth ? LoginOption.REQUIRED : LoginOption.DISABLED)
        .setAuthMethods("PLAIN LOGIN")
        .setUsername(settings.smtpUser())
        .setPassword(settings.smtpPassword())
        .setConnectTimeout(10_000)
        .setIdleTimeout(30);
    var from = settings.smtpFrom() != null ? settings.smtpFrom()
        : settings.smtpUser() != null && settings.smtpUser().contains("@") ? settings.smtpUser() : "castbus@localhost";
    var to = Arrays.stream(settings.alertEmailTo().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new MailChannel(MailClient.create(vertx, config), from, to);
  }

  @Override
  public String name() {
    return "mail";
  }

  @Override
  public Future<Void> send(Alert alert) {
    var message = new MailMessage()
        .setFrom(from)
        .setTo(to)
        .setSubject("[Castbus] " + alert.subject())
        .setText(alert.message() + "\n\n" + (alert.metadata() == null ? "" : alert.metadata().encodePrettily()) + "\n");
    return client.sendMail(message).mapEmpty();
  }
}
