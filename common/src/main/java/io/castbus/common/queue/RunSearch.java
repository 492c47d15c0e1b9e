package io.castbus.common.queue;

import io.castbus.common.ServiceError;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which runs a listing or a bulk action is about; null fields match everything. Each field that is set adds its
 * condition to the statement (see {@link #where}), so the planner sees only the indexes it needs.
 *
 * @param q       a word to find in a run's error message, its podcast's or episode's title, or its payload ids
 * @param ownerId the user the runs belong to (set by the service for a user's call, never by the filter)
 */
public record RunSearch(String status, String type, String job, Long podcast, Long episode, String q,
    OffsetDateTime createdAfter, OffsetDateTime createdBefore, UUID[] ids, Long ownerId) {

  /** The most run ids a filter may name. */
  public static final int MAX_IDS = 1000;

  /** The fields a filter may name. */
  public static final Set<String> FIELDS =
      Set.of("status", "type", "job", "podcast", "episode", "q", "created_after", "created_before", "ids");

  /** The filter named in {@code json}; a field it does not know, or a value of the wrong form, is a 400 naming it. */
  public static RunSearch from(JsonObject json, Long ownerId) {
    for (var name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw ServiceError.badRequest("unknown filter field '" + name + "'; known: " + String.join(", ",
            FIELDS.stream().sorted().toList()));
      }
    }
    var status = text(json, "status");
    if (status != null) {
      RunStatus parsed;
      try {
        parsed = RunStatus.parse(status);
      } catch (IllegalArgumentException e) {
        throw ServiceError.badRequest(e.getMessage());
      }
      if (parsed == RunStatus.STALLED) {
        throw ServiceError.badRequest("status 'stalled' is never stored: such runs are queued or failed");
      }
    }
    var q = text(json, "q");
    if (q != null && q.length() > 200) {
      throw ServiceError.badRequest("q must be at most 200 characters, got " + q.length());
    }
    return new RunSearch(status, text(json, "type"), text(json, "job"), number(json, "podcast"),
        number(json, "episode"), q, time(json, "created_after"), time(json, "created_before"), ids(json), ownerId);
  }

  public RunSearch owner(Long id) {
    return new RunSearch(status, type, job, podcast, episode, q, createdAfter, createdBefore, ids, id);
  }

  /** This filter as a JSON object of the fields it sets (as a bulk action records it). */
  public JsonObject toJson() {
    var json = new JsonObject();
    put(json, "status", status);
    put(json, "type", type);
    put(json, "job", job);
    put(json, "podcast", podcast);
    put(json, "episode", episode);
    put(json, "q", q);
    put(json, "created_after", createdAfter == null ? null : createdAfter.toInstant().toString());
    put(json, "created_before", createdBefore == null ? null : createdBefore.toInstant().toString());
    if (ids != null) {
      json.put("ids", new io.vertx.core.json.JsonArray(java.util.Arrays.stream(ids).map(UUID::toString).toList()));
    }
    return json;
  }

  /**
   * The conditions, joined by {@code and} ({@code true} when none), with their values appended to {@code params}:
   * placeholders are numbered on from the values already there.
   */
  String where(List<Object> params) {
    var conditions = new ArrayList<String>();
    add(conditions, params, RunSql.BY_STATUS, status);
    add(conditions, params, RunSql.BY_TYPE, type);
    add(conditions, params, RunSql.BY_JOB, job);
    add(conditions, params, RunSql.BY_OWNER, ownerId);
    add(conditions, params, RunSql.CREATED_AFTER, createdAfter);
    add(conditions, params, RunSql.CREATED_BEFORE, createdBefore);
    add(conditions, params, RunSql.BY_IDS, ids);
    if (podcast != null) {
      params.add(podcast.toString());
      params.add(podcast);
      conditions.add(RunSql.BY_PODCAST.formatted(params.size() - 1, params.size()));
    }
    add(conditions, params, RunSql.BY_EPISODE, episode == null ? null : episode.toString());
    if (searchesWord()) {
      conditions.add("id in (" + wordMatches(params, "true", "") + ")");
    }
    return conditions.isEmpty() ? "true" : String.join(" and ", conditions);
  }

  /** This filter without its word: the other conditions of a search by {@code q}. */
  RunSearch withoutWord() {
    return new RunSearch(status, type, job, podcast, episode, null, createdAfter, createdBefore, ids, ownerId);
  }

  /** Whether the filter has a word to find ({@code q}). */
  boolean searchesWord() {
    return q != null && !q.isBlank();
  }

  /**
   * The ids of the runs the word matches among those meeting {@code others} ({@link RunSql#WORD_MATCHES}), each
   * branch ending with {@code tail}; the word's values are appended to {@code params}.
   */
  String wordMatches(List<Object> params, String others, String tail) {
    var word = q.strip();
    params.add(pattern(word));
    params.add(word);
    var at = params.size();
    var id = uuid(word);
    var byId = "";
    if (id != null) {
      params.add(id);
      byId = RunSql.ID_BRANCH.formatted(others, params.size());
    }
    return RunSql.WORD_MATCHES.formatted(others, at - 1, at, tail, byId);
  }

  /** A {@code like} pattern for any text holding {@code word}, its wildcards taken literally. */
  private static String pattern(String word) {
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /** The word as a run id, or null when it is not one. */
  private static UUID uuid(String text) {
    if (text.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void add(List<String> conditions, List<Object> params, String fragment, Object value) {
    if (value != null) {
      params.add(value);
      conditions.add(fragment.formatted(params.size()));
    }
  }

  private static void put(JsonObject json, String name, Object value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  private static String text(JsonObject json, String name) {
    var value = json.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ServiceError.badRequest("filter field '" + name + "' must be a string, got " + value);
    }
    return s.isEmpty() ? null : s;
  }

  /** {@code ids}: a list of run ids (at most {@value #MAX_IDS}), or null. */
  private static UUID[] ids(JsonObject json) {
    var value = json.getValue("ids");
    if (value == null) {
      return null;
    }
    if (!(value instanceof io.vertx.core.json.JsonArray list) || list.isEmpty() || list.size() > MAX_IDS) {
      throw ServiceError.badRequest("filter field 'ids' must be a list of 1 to " + MAX_IDS + " run ids");
    }
    var ids = new UUID[list.size()];
    for (var i = 0; i < ids.length; i++) {
      var id = list.getValue(i) instanceof String s ? uuid(s) : null;
      if (id == null) {
        throw ServiceError.badRequest("filter field 'ids' holds '" + list.getValue(i) + "', which is not a run id");
      }
      ids[i] = id;
    }
    return ids;
  }

  private static Long number(JsonObject json, String name) {
    var value = json.getValue(name);
    if (value == null) {
      return null;
    }
    try {
      return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      throw ServiceError.badRequest("filter field '" + name + "' must be a number, got '" + value + "'");
    }
  }

  private static OffsetDateTime time(JsonObject json, String name) {
    var value = text(json, name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.ofInstant(Instant.parse(value), ZoneOffset.UTC);
    } catch (RuntimeException e) {
      try {
        return OffsetDateTime.parse(value);
      } catch (RuntimeException again) {
        throw ServiceError.badRequest("filter field '" + name + "' must be an ISO-8601 time, got '" + value + "'");
      }
    }
  }
}
