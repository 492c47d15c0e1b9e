package io.castbus.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Castbus module running as a real separate JVM ({@code java -jar <module>.jar}, or a main class on the test's
 * class path), its output in a log file,
 * for cluster tests: started, probed on its health endpoint, stopped with SIGTERM or killed with SIGKILL.
 */
public final class ChildProcess implements AutoCloseable {

  private static final Set<Integer> HANDED_OUT = new HashSet<>();
  private static final int PORTS_FROM = 15_000;
  /** Hazelcast may take up to 20 ports above a member's own: keep clear of the ephemeral range by that much. */
  private static final int PORTS_TO = 32_700;
  private static final Random RANDOM = new Random();

  private final String name;
  private final java.lang.Process process;
  private final Path log;
  private final int httpPort;

  private ChildProcess(String name, java.lang.Process process, Path log, int httpPort) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /** Starts {@code jar} with the given environment (HTTP_PORT is added unless given) and a small heap. */
  public static ChildProcess start(String name, Path jar, Map<String, String> env, Path logDir) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn package)");
    }
    return launch(name, List.of("-jar", jar.toAbsolutePath().toString()), env, logDir);
  }

  /**
   * Starts {@code mainClass} on this JVM's class path without the test classes and resources (as in the module's
   * jar, which is only built after its tests run); otherwise as {@link #start}.
   */
  public static ChildProcess startMain(String name, String mainClass, Map<String, String> env, Path logDir)
      throws IOException {
    var classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes" + File.separator))
        .collect(Collectors.joining(File.pathSeparator));
    return launch(name, List.of("-cp", classPath, mainClass), env, logDir);
  }

  private static ChildProcess launch(String name, List<String> what, Map<String, String> env, Path logDir)
      throws IOException {
    var port = env.containsKey("HTTP_PORT") ? Integer.parseInt(env.get("HTTP_PORT")) : freePort();
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(what);
    var builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().put("HTTP_PORT", String.valueOf(port));
    Files.createDirectories(logDir);
    var log = logDir.resolve(name + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ChildProcess(name, builder.start(), log, port);
  }

  /**
   * A port free now and never handed out before in this JVM, below the kernel's ephemeral range (32768 and up on
   * Linux): a port handed to a member that has not bound it yet must not meanwhile become the local port of some
   * outgoing connection, nor another socket's port 0.
   */
  public static synchronized int freePort() throws IOException {
    var start = PORTS_FROM + RANDOM.nextInt(PORTS_TO - PORTS_FROM);
    for (var i = 0; i < PORTS_TO - PORTS_FROM; i++) {
      var port = PORTS_FROM + (start - PORTS_FROM + i) % (PORTS_TO - PORTS_FROM);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (var socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(port));
        HANDED_OUT.add(port);
        return port;
      } catch (IOException taken) {
        // in use: try the next one
      }
    }
    throw new IOException("no free port between " + PORTS_FROM + " and " + PORTS_TO);
  }

  public int httpPort() {
    return httpPort;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public long pid() {
    return process.pid();
  }

  /** Waits until {@code /health/ready} answers 200; fails with the process's log tail if it dies or times out. */
  public void awaitReady(Duration timeout) {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    var deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        var response = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      sleep(200);
    }
    throw new AssertionError(name + " was not ready within " + timeout.toSeconds() + " s:\n" + tail());
  }

  /** SIGTERM, then wait for the exit; returns the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout.toSeconds() + " s of SIGTERM:\n" + tail());
    }
    return process.exitValue();
  }

  /** SIGKILL: the process dies at once, without any chance to clean up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Whether the process has printed {@code text} anywhere in its log so far. */
  public boolean printed(String text) {
    try {
      return Files.readString(log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  public String name() {
    return name;
  }

  /** The last lines the process printed. */
  public String tail() {
    try {
      var lines = lines();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Every line the process printed so far. */
  public List<String> lines() throws IOException {
    return Files.readAllLines(log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
