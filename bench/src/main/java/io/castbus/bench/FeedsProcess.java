package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.feeds.FeedsModule;
import java.util.concurrent.TimeUnit;

/** The feeds module as a process of its own (local event bus, the database shared), for the fan-out benchmark. */
public final class FeedsProcess {

  private FeedsProcess() {
  }

  public static void main(String[] args) throws Exception {
    var settings = Settings.fromEnvironment(Settings.AuthMode.REQUIRED);
    var vertx = ClusterSetup.local(settings);
    Launcher.start(vertx, "feeds", false, settings, Database.of(settings.databaseUrl()), FeedsModule::verticles)
        .await(120, TimeUnit.SECONDS);
  }
}
