package io.castbus.app;

import io.castbus.common.config.ConfigException;
import io.castbus.common.config.LogOutput;
import io.castbus.common.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar app/target/castbus-app.jar}: the whole of Castbus in one process. */
public final class AppMain {

  private static final Logger LOG = LoggerFactory.getLogger(AppMain.class);

  private AppMain() {
  }

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = Settings.fromEnvironment(Settings.AuthMode.LOCAL_OPEN);
      LogOutput.apply(settings.logFormat());
    } catch (ConfigException e) {
      System.err.println("castbus: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      var app = CastbusApp.start(settings);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          app.close();
        } catch (java.io.IOException e) {
          LOG.warn("The embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
      }, "castbus-shutdown"));
      LOG.info("Castbus is up: http://localhost:{}/api/jobs", settings.httpPort());
    } catch (Exception e) {
      LOG.error("Castbus failed to start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
