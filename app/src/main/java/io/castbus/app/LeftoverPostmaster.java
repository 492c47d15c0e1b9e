package io.castbus.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server left running by an earlier life of the app (killed with SIGKILL, or out of memory): its
 * {@code postmaster.pid} names a live postgres process serving our data directory. It is stopped cleanly (a smart
 * shutdown, then a wait) so that a new server can start there; a lock file naming a process that is not our server
 * any more is removed.
 */
final class LeftoverPostmaster {

  private static final Logger LOG = LoggerFactory.getLogger(LeftoverPostmaster.class);
  private static final long STOP_WAIT_SECONDS = 60;

  private LeftoverPostmaster() {
  }

  static void stopIfRunning(Path dataDir) throws IOException {
    var pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.size() < 2 || !lines.get(0).strip().matches("\\d{1,10}")) {
      return;
    }
    var pid = Long.parseLong(lines.get(0).strip());
    var process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return; // PostgreSQL itself replaces a lock file whose process is gone
    }
    if (!isPostgres(process.get()) || !sameDirectory(Path.of(lines.get(1).strip()), dataDir)) {
      LOG.info("Removing {}: process {} is not a PostgreSQL server of {}", pidFile, pid, dataDir);
      Files.deleteIfExists(pidFile);
      return;
    }
    LOG.warn("A PostgreSQL server (pid {}) left by an earlier run still serves {}: stopping it", pid, dataDir);
    stop(process.get(), dataDir);
  }

  /**
   * SIGTERM: PostgreSQL's smart shutdown, which waits for its sessions to end; the dead app's sessions are gone, and
   * no one else can open one without the password.
   */
  private static void stop(ProcessHandle process, Path dataDir) throws IOException {
    try {
      process.destroy();
      process.onExit().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      LOG.info("The earlier PostgreSQL server (pid {}) has stopped", process.pid());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the earlier PostgreSQL server " + process.pid(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the earlier PostgreSQL server (pid " + process.pid() + ") serving " + dataDir
          + " did not stop within " + STOP_WAIT_SECONDS + " s of SIGTERM: stop it by hand", e);
    }
  }

  private static boolean isPostgres(ProcessHandle process) {
    return process.info().command().map(Path::of)
        .filter(path -> path.getFileName().toString().matches("postgres(\\.exe)?")).isPresent();
  }

  private static boolean sameDirectory(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }
}
