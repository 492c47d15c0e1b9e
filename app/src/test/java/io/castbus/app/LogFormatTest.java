package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("LOG_FORMAT takes effect from either source: the environment or the CONFIG_FILE")
class LogFormatTest {

  @TempDir
  Path data;

  /** Starts the app with the given settings and answers its log lines once it is up. */
  private java.util.List<String> linesOf(String name, Map<String, String> settings) throws Exception {
    var data = Files.createDirectories(this.data.resolve(name));
    try (var db = TestDatabase.create("app_log_format"); var app = AppProcess.start(data, db, settings)) {
      io.castbus.testkit.Waits.until(Duration.ofSeconds(30), "the start-up line", () -> app.printed("Castbus is up"));
      return app.lines();
    }
  }

  private static void assertJsonLines(java.util.List<String> lines) {
    var up = lines.stream().filter(l -> l.contains("Castbus is up")).findFirst().orElseThrow();
    var json = new JsonObject(up.substring(up.indexOf('{')));
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("formattedMessage")).startsWith("Castbus is up");
    assertThat(lines.stream().filter(l -> l.contains(" INFO ") && l.contains(" - "))).as("no text lines").isEmpty();
  }

  @Test
  @DisplayName("LOG_FORMAT: json in the YAML file named by CONFIG_FILE writes JSON lines")
  void fromTheConfigFile() throws Exception {
    var file = data.resolve("castbus.yaml");
    Files.writeString(file, "LOG_FORMAT: json\n");
    assertJsonLines(linesOf("file", Map.of("CONFIG_FILE", file.toString())));
  }

  @Test
  @DisplayName("LOG_FORMAT=json in the environment writes JSON lines; without it, text lines")
  void fromTheEnvironment() throws Exception {
    assertJsonLines(linesOf("json", Map.of("LOG_FORMAT", "json")));
    var text = linesOf("text", Map.of());
    assertThat(text.stream().filter(l -> l.contains("Castbus is up")).findFirst().orElseThrow())
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*");
  }
}
