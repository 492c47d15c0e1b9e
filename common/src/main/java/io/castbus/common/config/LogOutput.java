package io.castbus.common.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Puts the log output in the format the settings ask for. {@code logback.xml} can read only the environment
 * ({@code ${LOG_FORMAT}}); a {@code LOG_FORMAT} given in the {@code CONFIG_FILE} takes effect here, once the
 * settings are read, by giving the root logger the console appender of that format.
 */
public final class LogOutput {

  static final String TEXT_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";

  private LogOutput() {
  }

  public static void apply(Settings.LogFormat format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    var wanted = format == Settings.LogFormat.JSON ? "json" : "text";
    if (root.getAppender(wanted) != null) {
      return;
    }
    var appender = new ConsoleAppender<ILoggingEvent>();
    appender.setContext(context);
    appender.setName(wanted);
    appender.setEncoder(format == Settings.LogFormat.JSON ? json(context) : text(context));
    appender.start();
    root.addAppender(appender);
    detachOthers(root, wanted);
  }

  private static void detachOthers(Logger root, String kept) {
    var others = new java.util.ArrayList<String>();
    root.iteratorForAppenders().forEachRemaining(a -> {
      if (!a.getName().equals(kept) && a instanceof ConsoleAppender) {
        others.add(a.getName());
      }
    });
    others.forEach(name -> {
      var appender = root.getAppender(name);
      root.detachAppender(name);
      appender.stop();
    });
  }

  /** The same shape as {@code logback.xml}'s {@code json} appender: one object a line, with the MDC. */
  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    var encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    var encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }
}
