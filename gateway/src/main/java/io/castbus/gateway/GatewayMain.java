package io.castbus.gateway;

import io.castbus.common.launch.Launcher;
import java.util.List;

/** The gateway as its own clustered process: the HTTP API in front of the cluster. */
public final class GatewayMain {

  private GatewayMain() {
  }

  public static void main(String[] args) {
    Launcher.runClustered("gateway", true, p -> List.of(new GatewayVerticle(p)));
  }
}
