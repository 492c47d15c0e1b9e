package io.castbus.common.job;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * When a job fires: every N seconds, on a cron expression in a time zone, or once at a date. Times after downtime
 * coalesce: the next due time is always in the future, so missed periods fire once, not once each.
 */
public sealed interface Trigger permits Trigger.Interval, Trigger.Cron, Trigger.Once {

  CronParser UNIX_CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** The first due time of a trigger set or resumed at {@code now}; null when it will never fire. */
  Instant firstDue(Instant now, Instant lastFired);

  /** The due time after firing at {@code due}, skipping every period already past at {@code now}. */
  Instant nextDue(Instant due, Instant now);

  /**
   * The next {@code n} fire times from {@code first} (the job's next due time, or when it is unset, the first the
   * trigger gives at {@code now}), by the same {@link #nextDue} the scheduler fires with.
   */
  default java.util.List<Instant> upcoming(Instant first, Instant now, Instant lastFired, int n) {
    var times = new java.util.ArrayList<Instant>(n);
    var due = first != null ? first : firstDue(now, lastFired);
    while (due != null && times.size() < n) {
      times.add(due);
      due = nextDue(due, due);
    }
    return times;
  }

  /** Text like {@code interval[0:05:00]}, {@code cron[0 3 * * *, Europe/Paris]}, {@code date[2026-12-01T10:00:00Z]}. */
  String describe();

  JsonObject toJson();

  /**
   * Never a due time at or before the last firing: a schedule change that read the clock before another replica
   * fired would otherwise write back the due time just fired.
   */
  private static Instant latest(Instant now, Instant lastFired) {
    return lastFired != null && lastFired.isAfter(now) ? lastFired : now;
  }

  static Trigger every(Duration period) {
    return new Interval(period);
  }

  /**
   * Parses {@code {"type": "interval", "seconds": N}}, {@code {"type": "cron", "expression", "timezone"}} or
   * {@code {"type": "date", "run_at"}}; throws {@link IllegalArgumentException} naming the bad field.
   */
  static Trigger fromJson(JsonObject json, ZoneId defaultZone) {
    if (json == null) {
      throw new IllegalArgumentException("trigger is required");
    }
    var type = json.getValue("type");
    if (!(type instanceof String)) {
      throw new IllegalArgumentException("trigger.type must be one of interval, cron, date");
    }
    return switch ((String) type) {
      case "interval" -> {
        var seconds = json.getValue("seconds");
        if (!(seconds instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())) {
          throw new IllegalArgumentException("trigger.seconds must be a whole number of seconds");
        }
        if (n.longValue() < 1 || n.longValue() > 366L * 86400) {
          throw new IllegalArgumentException("trigger.seconds must be between 1 and 31622400, got " + n.longValue());
        }
        yield new Interval(Duration.ofSeconds(n.longValue()));
      }
      case "cron" -> {
        var expression = json.getValue("expression");
        if (!(expression instanceof String e) || e.isBlank()) {
          throw new IllegalArgumentException("trigger.expression must be a cron expression such as '0 3 * * *'");
        }
        var zoneName = json.getValue("timezone");
        ZoneId zone;
        try {
          zone = zoneName == null ? defaultZone : ZoneId.of(String.valueOf(zoneName));
        } catch (DateTimeException ex) {
          throw new IllegalArgumentException("trigger.timezone '" + zoneName + "' is not a known time zone");
        }
        yield Cron.parse(e.trim(), zone);
      }
      case "date" -> {
        var at = json.getValue("run_at");
        try {
          yield new Once(Instant.parse(String.valueOf(at)));
        } catch (DateTimeParseException ex) {
          throw new IllegalArgumentException("trigger.run_at must be an ISO-8601 UTC time like 2026-12-01T10:00:00Z");
        }
      }
      default -> throw new IllegalArgumentException("trigger.type must be one of interval, cron, date; got '" + type + "'");
    };
  }

  record Interval(Duration period) implements Trigger {

    public Interval {
      if (period.isZero() || period.isNegative()) {
        throw new IllegalArgumentException("an interval must be positive");
      }
    }

    @Override
    public Instant firstDue(Instant now, Instant lastFired) {
      return latest(now, lastFired).plus(period);
    }

    @Override
    public Instant nextDue(Instant due, Instant now) {
      var next = due.plus(period);
      if (next.isAfter(now)) {
        return next;
      }
      var missed = Duration.between(next, now).toMillis() / period.toMillis() + 1;
      return next.plus(period.multipliedBy(missed));
    }

    /** Python's timedelta text, as APScheduler shows it: {@code 0:05:00}, {@code 1 day, 0:00:00}. */
    @Override
    public String describe() {
      var seconds = period.toSeconds();
      var days = seconds / 86400;
      var rest = seconds % 86400;
      var clock = String.format("%d:%02d:%02d", rest / 3600, rest % 3600 / 60, rest % 60);
      return "interval[" + (days == 0 ? "" : days + (days == 1 ? " day, " : " days, ")) + clock + "]";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", "interval").put("seconds", period.toSeconds());
    }
  }

  record Cron(String expression, ZoneId zone, ExecutionTime executions) implements Trigger {

    static Cron parse(String expression, ZoneId zone) {
      try {
        var cron = UNIX_CRON.parse(expression);
        cron.validate();
        return new Cron(expression, zone, ExecutionTime.forCron(cron));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trigger.expression '" + expression + "' is not a valid cron expression: "
            + e.getMessage());
      }
    }

    @Override
    public Instant firstDue(Instant now, Instant lastFired) {
      return after(latest(now, lastFired));
    }

    @Override
    public Instant nextDue(Instant due, Instant now) {
      return after(now.isAfter(due) ? now : due);
    }

    private Instant after(Instant t) {
      return executions.nextExecution(ZonedDateTime.ofInstant(t, zone)).map(ZonedDateTime::toInstant).orElse(null);
    }

    @Override
    public String describe() {
      return "cron[" + expression + ", " + zone.getId() + "]";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", "cron").put("expression", expression).put("timezone", zone.getId());
    }
  }

  record Once(Instant at) implements Trigger {

    @Override
    public Instant firstDue(Instant now, Instant lastFired) {
      return lastFired != null && !lastFired.isBefore(at) ? null : at;
    }

    @Override
    public Instant nextDue(Instant due, Instant now) {
      return null;
    }

    @Override
    public String describe() {
      return "date[" + at + "]";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", "date").put("run_at", at.toString());
    }
  }
}
