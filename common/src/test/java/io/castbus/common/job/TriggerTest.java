package io.castbus.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Triggers")
class TriggerTest {

  private static final ZoneId UTC = ZoneId.of("UTC");

  @Test
  @DisplayName("intervals read like APScheduler's: interval[0:05:00], interval[1:00:00], interval[1 day, 0:00:00]")
  void intervalText() {
    assertThat(Trigger.every(Duration.ofSeconds(300)).describe()).isEqualTo("interval[0:05:00]");
    assertThat(Trigger.every(Duration.ofSeconds(3600)).describe()).isEqualTo("interval[1:00:00]");
    assertThat(Trigger.every(Duration.ofSeconds(86400)).describe()).isEqualTo("interval[1 day, 0:00:00]");
    assertThat(Trigger.every(Duration.ofSeconds(2 * 86400 + 61)).describe()).isEqualTo("interval[2 days, 0:01:01]");
  }

  @Test
  @DisplayName("after downtime an interval's next due time skips every missed period and keeps the cadence")
  void intervalCoalesces() {
    var trigger = Trigger.every(Duration.ofMinutes(5));
    var due = Instant.parse("2026-01-01T10:00:00Z");
    assertThat(trigger.nextDue(due, Instant.parse("2026-01-01T10:00:01Z"))).isEqualTo("2026-01-01T10:05:00Z");
    assertThat(trigger.nextDue(due, Instant.parse("2026-01-01T11:02:00Z"))).isEqualTo("2026-01-01T11:05:00Z");
    assertThat(trigger.nextDue(due, Instant.parse("2026-01-01T11:05:00Z"))).isEqualTo("2026-01-01T11:10:00Z");
  }

  @Test
  @DisplayName("cron runs in its time zone, daylight saving included")
  void cronInZone() {
    var paris = Trigger.fromJson(new JsonObject().put("type", "cron").put("expression", "0 3 * * *")
        .put("timezone", "Europe/Paris"), UTC);
    assertThat(paris.describe()).isEqualTo("cron[0 3 * * *, Europe/Paris]");
    assertThat(paris.firstDue(Instant.parse("2026-01-15T12:00:00Z"), null)).isEqualTo("2026-01-16T02:00:00Z");
    assertThat(paris.firstDue(Instant.parse("2026-07-15T12:00:00Z"), null)).isEqualTo("2026-07-16T01:00:00Z");
    assertThat(paris.nextDue(Instant.parse("2026-07-16T01:00:00Z"), Instant.parse("2026-07-20T09:00:00Z")))
        .isEqualTo("2026-07-21T01:00:00Z");
  }

  @Test
  @DisplayName("a date trigger fires once: not again once it has fired")
  void once() {
    var at = Instant.parse("2026-12-01T10:00:00Z");
    var once = Trigger.fromJson(new JsonObject().put("type", "date").put("run_at", "2026-12-01T10:00:00Z"), UTC);
    assertThat(once.describe()).isEqualTo("date[2026-12-01T10:00:00Z]");
    assertThat(once.firstDue(Instant.parse("2026-11-01T00:00:00Z"), null)).isEqualTo(at);
    assertThat(once.firstDue(Instant.parse("2026-12-02T00:00:00Z"), null)).as("missed, never fired").isEqualTo(at);
    assertThat(once.firstDue(Instant.parse("2026-12-02T00:00:00Z"), at)).isNull();
    assertThat(once.nextDue(at, at)).isNull();
  }

  @Test
  @DisplayName("a trigger survives its JSON form")
  void roundTrip() {
    for (var json : new JsonObject[] {
        new JsonObject().put("type", "interval").put("seconds", 90),
        new JsonObject().put("type", "cron").put("expression", "*/15 * * * 1-5").put("timezone", "America/New_York"),
        new JsonObject().put("type", "date").put("run_at", "2027-01-01T00:00:00Z")}) {
      assertThat(Trigger.fromJson(json, UTC).toJson()).isEqualTo(json);
    }
  }

  @Test
  @DisplayName("bad triggers are refused with a message naming the field")
  void badTriggers() {
    assertThatThrownBy(() -> Trigger.fromJson(new JsonObject().put("type", "weekly"), UTC))
        .hasMessageContaining("trigger.type");
    assertThatThrownBy(() -> Trigger.fromJson(new JsonObject().put("type", "interval").put("seconds", -5), UTC))
        .hasMessageContaining("trigger.seconds");
    assertThatThrownBy(() -> Trigger.fromJson(new JsonObject().put("type", "interval").put("seconds", 1.5), UTC))
        .hasMessageContaining("trigger.seconds");
    assertThatThrownBy(() -> Trigger.fromJson(new JsonObject().put("type", "cron").put("expression", "every day"),
        UTC)).hasMessageContaining("trigger.expression");
    assertThatThrownBy(() -> Trigger.fromJson(new JsonObject().put("type", "date").put("run_at", "tomorrow"), UTC))
        .hasMessageContaining("trigger.run_at");
  }
}
