package io.castbus.downloads;

import io.castbus.common.launch.Launcher;

/** The downloads module as its own clustered process. */
public final class DownloadsMain {

  private DownloadsMain() {
  }

  public static void main(String[] args) {
    Launcher.runClustered("downloads", false, DownloadsModule::verticles);
  }
}
