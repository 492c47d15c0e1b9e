package io.castbus.downloads;

import io.castbus.common.net.OutboundHttp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Library names and Retry-After, as plain functions")
class FileNamesTest {

  private static final Instant DAY = Instant.parse("2026-11-24T23:30:00Z");

  @Test
  @DisplayName("names lose what Windows, macOS or Linux refuse, and never start or end with a dot or space")
  void unsafeCharacters() {
    assertThat(FileNames.sanitize("../../etc/passwd", "x", 200)).isEqualTo("etc passwd");
    assertThat(FileNames.sanitize("a<b>c:d\"e/f\\g|h?i*j", "x", 200)).isEqualTo("a b c d e f g h i j");
    assertThat(FileNames.sanitize("tab\tnew\nline\u0000nul\u001fend", "x", 200)).isEqualTo("tab new line nul end");
    assertThat(FileNames.sanitize(" . trailing dots... ", "x", 200)).isEqualTo("trailing dots");
    assertThat(FileNames.sanitize("..", "fallback", 200)).isEqualTo("fallback");
    assertThat(FileNames.sanitize(null, "fallback", 200)).isEqualTo("fallback");
  }

  @Test
  @DisplayName("Windows device names are prefixed, with or without an extension, in any case")
  void reservedNames() {
    assertThat(FileNames.sanitize("CON", "x", 200)).isEqualTo("_CON");
    assertThat(FileNames.sanitize("nul.txt", "x", 200)).isEqualTo("_nul.txt");
    assertThat(FileNames.sanitize("Com1", "x", 200)).isEqualTo("_Com1");
    assertThat(FileNames.sanitize("LPT9.mp3", "x", 200)).isEqualTo("_LPT9.mp3");
    assertThat(FileNames.sanitize("Console", "x", 200)).isEqualTo("Console");
  }

  @Test
  @DisplayName("episode names are <yyyy-MM-dd> - <title>.<ext>, at most 200 bytes, cut between code points")
  void episodeNames() {
    assertThat(FileNames.episode(DAY, "Hello", "mp3", 1)).isEqualTo("2026-11-24 - Hello.mp3");
    assertThat(FileNames.episode(DAY, "Hello", "mp3", 3)).isEqualTo("2026-11-24 - Hello (3).mp3");
    assertThat(FileNames.episode(null, "Hello", "m4a", 1)).isEqualTo("undated - Hello.m4a");
    var longest = FileNames.episode(DAY, "x".repeat(1000), "mp3", 12);
    assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(200);
    assertThat(longest).endsWith("x (12).mp3");
    var emoji = FileNames.episode(DAY, "🎧".repeat(100), "mp3", 1);
    assertThat(emoji.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
    assertThat(new String(emoji.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(emoji);
    assertThat(emoji).doesNotContain("\uFFFD").endsWith("🎧.mp3");
  }

  @Test
  @DisplayName("the extension comes from the URL when it names a media type, else from the content type")
  void extensions() {
    assertThat(FileNames.extension("https://cdn.example/a/episode.M4A?token=1", "audio/mpeg")).isEqualTo("m4a");
    assertThat(FileNames.extension("https://cdn.example/a/download?id=3", "audio/x-m4a")).isEqualTo("m4a");
    assertThat(FileNames.extension("https://cdn.example/a/page.php", "audio/ogg; codecs=opus")).isEqualTo("ogg");
    assertThat(FileNames.extension("https://cdn.example/a/file", null)).isEqualTo("mp3");
    assertThat(FileNames.extension("not a url", "video/mp4")).isEqualTo("mp4");
  }

  @Test
  @DisplayName("Retry-After is read as seconds or an HTTP date, capped at a day; nonsense is ignored")
  void retryAfter() {
    var now = Instant.parse("2026-11-24T10:00:00Z");
    assertThat(OutboundHttp.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
    assertThat(OutboundHttp.retryAfter("Tue, 24 Nov 2026 10:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(OutboundHttp.retryAfter("Tue, 24 Nov 2026 09:00:00 GMT", now)).isEqualTo(Duration.ZERO);
    assertThat(OutboundHttp.retryAfter("9999999", now)).isEqualTo(Duration.ofDays(1));
    assertThat(OutboundHttp.retryAfter("soon", now)).isNull();
    assertThat(OutboundHttp.retryAfter(null, now)).isNull();
  }
}
