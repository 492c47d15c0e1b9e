package io.castbus.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own linter on a scrape: {@code promtool check metrics}, from Debian's {@code prometheus} package
 * ({@code .ci/run} installs it). Not having it fails the test that asks: a lint that did not run is no pass.
 */
public final class Promtool {

  private Promtool() {
  }

  /** What {@code promtool check metrics} says about the exposition text: empty when it is clean. */
  public static String check(String exposition) {
    Process process;
    try {
      process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool is not installed (apt-get install prometheus; .ci/run does): "
          + e.getMessage(), e);
    }
    try (var in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("could not send the metrics to promtool: " + e.getMessage(), e);
    }
    try {
      var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("promtool did not finish within 30 s");
      }
      return process.exitValue() == 0 ? output.strip() : ("exit " + process.exitValue() + ": " + output).strip();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("promtool failed: " + e.getMessage(), e);
    }
  }
}
