package io.castbus.feeds;

import io.castbus.common.launch.Launcher;

/** The feeds module as its own clustered process. */
public final class FeedsMain {

  private FeedsMain() {
  }

  public static void main(String[] args) {
    Launcher.runClustered("feeds", false, FeedsModule::verticles);
  }
}
