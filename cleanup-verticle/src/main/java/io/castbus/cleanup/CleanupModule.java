package io.castbus.cleanup;

import io.castbus.common.launch.Process;
import io.vertx.core.Deployable;
import java.util.List;

/** The cleanup module's verticles, for its own process and for the all-in-one app. */
public final class CleanupModule {

  private CleanupModule() {
  }

  public static List<Deployable> verticles(Process process) {
    return List.of(new CleanupVerticle(process));
  }
}
