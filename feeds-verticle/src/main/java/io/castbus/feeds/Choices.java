package io.castbus.feeds;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.castbus.common.ServiceError;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What one subscription lets in and keeps. <b>Filters</b> decide which new episodes auto-download queues: title
 * patterns (RE2/J, linear time whatever the pattern or title, so {@code (a+)+$} cannot stall a refresh), a duration
 * range and a publication date. <b>Retention</b> keeps the newest {@code count}, those of the last {@code days}, or
 * all. Both are validated on input; a bad value is a 400 naming the field.
 */
record Choices(Filters filters, Retention retention) {

  static final int MAX_PATTERN = 200;
  static final int MAX_DURATION = 86_400;
  private static final Set<String> FILTER_FIELDS = Set.of("title_include", "title_exclude", "min_duration_s",
      "max_duration_s", "published_after");

  /** The filters as given (for the answer) and compiled. */
  record Filters(JsonObject json, Pattern include, Pattern exclude, Integer minDuration, Integer maxDuration,
      Instant publishedAfter) {

    static final Filters NONE = new Filters(new JsonObject(), null, null, null, null, null);

    /** The rule that leaves the episode out ({@code title_exclude}, …), or null when it may come in. */
    String rejects(String title, Integer duration, Instant published) {
      var t = title == null ? "" : title;
      if (include != null && !include.matcher(t).find()) {
        return "title_include";
      }
      if (exclude != null && exclude.matcher(t).find()) {
        return "title_exclude";
      }
      if (minDuration != null && duration != null && duration < minDuration) {
        return "min_duration_s";
      }
      if (maxDuration != null && duration != null && duration > maxDuration) {
        return "max_duration_s";
      }
      if (publishedAfter != null && published != null && published.isBefore(publishedAfter)) {
        return "published_after";
      }
      return null;
    }
  }

  /** {@code newest} ({@code count}), {@code days} ({@code days}) or {@code all}. */
  record Retention(String mode, Integer count, Integer days) {

    static final Retention DEFAULT = new Retention("newest", 5, null);

    JsonObject toJson() {
      var json = new JsonObject().put("mode", mode);
      if (count != null && mode.equals("newest")) {
        json.put("count", count);
      }
      if (days != null) {
        json.put("days", days);
      }
      return json;
    }

    /** Whether an episode published at {@code published} is young enough for {@code days} retention. */
    boolean young(Instant published, Instant now) {
      return !mode.equals("days") || published == null || !published.isBefore(now.minusSeconds(86_400L * days));
    }
  }

  /** A new episode as auto-download weighs it. */
  record Candidate(long id, String title, Integer duration, Instant published) {
  }

  /**
   * The candidates this subscription wants downloaded: those its filters let in, newest first, at most
   * {@code count} of them for {@code newest}, those of the last {@code days} for {@code days}, all for {@code all}.
   */
  List<Long> wanted(List<Candidate> candidates, Instant now) {
    var in = candidates.stream()
        .filter(c -> filters.rejects(c.title(), c.duration(), c.published()) == null)
        .filter(c -> retention.young(c.published(), now))
        .sorted(Comparator.comparing(Candidate::published, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(Candidate::id, Comparator.reverseOrder()))
        .map(Candidate::id);
    return (retention.mode().equals("newest") ? in.limit(retention.count()) : in).toList();
  }

  /** The stored choices of a subscription row. */
  static Choices of(JsonObject filters, String mode, Integer count, Integer days) {
    return new Choices(filters(filters == null ? new JsonObject() : filters),
        new Retention(mode, mode.equals("newest") ? count : null, days));
  }

  static Filters filters(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return Filters.NONE;
    }
    for (var field : json.fieldNames()) {
      if (!FILTER_FIELDS.contains(field)) {
        throw ServiceError.badRequest("filters." + field + " is not a filter; the filters are "
            + String.join(", ", new java.util.TreeSet<>(FILTER_FIELDS)));
      }
    }
    var min = duration(json, "min_duration_s");
    var max = duration(json, "max_duration_s");
    if (min != null && max != null && min > max) {
      throw ServiceError.badRequest("filters.min_duration_s (" + min + ") is more than filters.max_duration_s ("
          + max + ")");
    }
    Instant after = null;
    var date = json.getValue("published_after");
    if (date != null) {
      try {
        after = Instant.parse(String.valueOf(date));
      } catch (DateTimeParseException e) {
        throw ServiceError.badRequest("filters.published_after must be a date and time such as "
            + "2025-01-01T00:00:00Z, got '" + date + "'");
      }
    }
    return new Filters(json.copy(), pattern(json, "title_include"), pattern(json, "title_exclude"), min, max, after);
  }

  private static Pattern pattern(JsonObject json, String field) {
    var value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.isEmpty()) {
      throw ServiceError.badRequest("filters." + field + " must be a non-empty regular expression");
    }
    if (text.length() > MAX_PATTERN) {
      throw ServiceError.badRequest("filters." + field + " must be at most " + MAX_PATTERN + " characters, got "
          + text.length());
    }
    try {
      return Pattern.compile(text, Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException e) {
      throw ServiceError.badRequest("filters." + field + " is not a valid regular expression: "
          + e.getDescription() + " in '" + text + "'");
    }
  }

  private static Integer duration(JsonObject json, String field) {
    var value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
        || n.longValue() > MAX_DURATION) {
      throw ServiceError.badRequest("filters." + field + " must be a whole number of seconds from 0 to "
          + MAX_DURATION + ", got " + value);
    }
    return n.intValue();
  }

  /**
   * The retention a request asks for: {@code retention}, else {@code max_episodes_to_keep} (seed 000's name for
   * {@code newest}), else {@code fallback} (null: none given).
   */
  static Retention retention(JsonObject req, Retention fallback) {
    var given = req.getValue("retention");
    var keep = req.getValue("max_episodes_to_keep");
    if (given == null) {
      if (keep == null) {
        return fallback;
      }
      return new Retention("newest", count(keep, "max_episodes_to_keep"), null);
    }
    if (!(given instanceof JsonObject r)) {
      throw ServiceError.badRequest("retention must be an object such as {\"mode\": \"newest\", \"count\": 5}");
    }
    var mode = r.getValue("mode");
    if ("newest".equals(mode)) {
      return new Retention("newest", count(r.getValue("count", keep == null ? 5 : keep), "retention.count"), null);
    }
    if ("days".equals(mode)) {
      var days = r.getValue("days");
      if (!(days instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || n.longValue() > 36_500) {
        throw ServiceError.badRequest("retention.days must be a whole number from 1 to 36500, got " + days);
      }
      return new Retention("days", null, n.intValue());
    }
    if ("all".equals(mode)) {
      return new Retention("all", null, null);
    }
    throw ServiceError.badRequest("retention.mode must be 'newest', 'days' or 'all', got " + mode);
  }

  private static int count(Object value, String field) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
        || n.longValue() > 100) {
      throw ServiceError.badRequest(field + " must be between 1 and 100, got " + value);
    }
    return n.intValue();
  }
}
