package io.castbus.feeds;

import io.castbus.common.launch.Process;
import io.vertx.core.Deployable;
import java.util.List;

/** The feeds module's verticles, for its own process and for the all-in-one app. */
public final class FeedsModule {

  private FeedsModule() {
  }

  public static List<Deployable> verticles(Process process) {
    return List.of(new FeedsVerticle(process));
  }
}
