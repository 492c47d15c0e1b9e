package io.castbus.app;

import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The all-in-one app as a child JVM for a test: its data under {@code data}, the test's database, ready. */
final class AppProcess {

  private AppProcess() {
  }

  /** Starts the app with {@code settings} over the defaults a test needs, and waits until it is ready. */
  static ChildProcess start(Path data, TestDatabase db, Map<String, String> settings) {
    var env = new HashMap<String, String>();
    env.put("DATA_DIR", data.toString());
    env.put("DOWNLOAD_DIR", data.resolve("downloads").toString());
    env.put("DOWNLOAD_MIN_FREE_MB", "1");
    env.put("DATABASE_URL", db.url());
    env.putAll(settings);
    try {
      var app = ChildProcess.startMain("castbus-app", AppMain.class.getName(), env, data.resolve("logs"));
      app.awaitReady(Duration.ofSeconds(120));
      return app;
    } catch (java.io.IOException e) {
      throw new AssertionError("the app did not start: " + e.getMessage(), e);
    }
  }
}
