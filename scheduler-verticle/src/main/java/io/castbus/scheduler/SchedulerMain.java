package io.castbus.scheduler;

import io.castbus.common.launch.Launcher;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.RunsService;
import io.castbus.scheduler.alert.AlertVerticle;
import java.util.List;

/** The scheduler as its own clustered process: schedules, run control and alerts. */
public final class SchedulerMain {

  private SchedulerMain() {
  }

  public static void main(String[] args) {
    Launcher.runClustered("scheduler", false, p -> List.of(
        new SchedulerVerticle(p),
        new AlertVerticle(p),
        new RunsService(new RunQueue(p.vertx(), p.pool()))));
  }
}
