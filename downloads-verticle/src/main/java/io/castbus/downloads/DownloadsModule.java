package io.castbus.downloads;

import io.castbus.common.launch.Process;
import io.vertx.core.Deployable;
import java.util.List;

/** The downloads module's verticles, for its own process and for the all-in-one app. */
public final class DownloadsModule {

  private DownloadsModule() {
  }

  public static List<Deployable> verticles(Process process) {
    return List.of(new DownloadsVerticle(process));
  }
}
