package io.castbus.scheduler;

import io.castbus.common.launch.Launcher;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunsService;
import java.util.List;

/** The scheduler as its own clustered process: schedules and run control. */
public final class SchedulerMain {

  private SchedulerMain() {
  }

  public static void main(String[] args) {
    Launcher.runClustered("scheduler", false, p -> List.of(
        new SchedulerVerticle(p),
        new RunsService(new RunQueue(p.vertx(), p.pool()))));
  }
}
