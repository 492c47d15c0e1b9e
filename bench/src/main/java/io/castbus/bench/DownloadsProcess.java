package io.castbus.bench;

import io.castbus.common.cluster.ClusterSetup;
import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.launch.Launcher;
import io.castbus.downloads.DownloadsModule;
import java.util.concurrent.TimeUnit;

/** The downloads module as a process of its own on the local event bus, for measuring its memory from outside. */
public final class DownloadsProcess {

  private DownloadsProcess() {
  }

  public static void main(String[] args) throws Exception {
    var settings = Settings.fromEnvironment(Settings.AuthMode.REQUIRED);
    var vertx = ClusterSetup.local(settings);
    Launcher.start(vertx, "downloads", false, settings, Database.of(settings.databaseUrl()),
        DownloadsModule::verticles).await(120, TimeUnit.SECONDS);
  }
}
