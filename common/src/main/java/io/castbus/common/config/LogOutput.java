package io.castbus.common.config;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/**
 * Puts the log output in the format the settings ask for. {@code logback.xml} chooses its appender with
 * {@code ${LOG_FORMAT}}, which logback reads from the environment when it starts; a {@code LOG_FORMAT} given in the
 * {@code CONFIG_FILE} takes effect here, once the settings are read: the same configuration is read again with the
 * format set as a property of the logging context.
 */
public final class LogOutput {

  private LogOutput() {
  }

  public static void apply(Settings.LogFormat format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    var wanted = format == Settings.LogFormat.JSON ? "json" : "text";
    if (context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(wanted) != null) {
      return;
    }
    // The file logback itself chose at start: logback-test.xml when a test puts one first, else logback.xml.
    var loader = LogOutput.class.getClassLoader();
    var configuration = loader.getResource("logback-test.xml");
    if (configuration == null) {
      configuration = loader.getResource("logback.xml");
    }
    if (configuration == null) {
      return;
    }
    context.reset();
    context.putProperty("LOG_FORMAT", wanted);
    var configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      System.err.println("castbus: could not read the logging configuration " + configuration + " again: "
          + e.getMessage());
    }
  }
}
