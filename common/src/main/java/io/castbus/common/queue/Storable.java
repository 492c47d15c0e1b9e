package io.castbus.common.queue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What a handler gives the queue, made storable by PostgreSQL: a NUL character (U+0000), which neither {@code text}
 * nor {@code jsonb} can hold, becomes U+FFFD in every string and key of a result, progress, output line, event or
 * error. Documents without one are passed on as they are, not copied.
 */
final class Storable {

  private static final char NUL = '\u0000';
  private static final char REPLACEMENT = '\uFFFD';

  private Storable() {
  }

  static String text(String value) {
    return value == null || value.indexOf(NUL) < 0 ? value : value.replace(NUL, REPLACEMENT);
  }

  static JsonObject json(JsonObject value) {
    return value == null || !hasNul(value) ? value : (JsonObject) clean(value);
  }

  static JsonArray json(JsonArray value) {
    return value == null || !hasNul(value) ? value : (JsonArray) clean(value);
  }

  private static boolean hasNul(Object value) {
    if (value instanceof String s) {
      return s.indexOf(NUL) >= 0;
    }
    if (value instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        if (e.getKey().indexOf(NUL) >= 0 || hasNul(e.getValue())) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof JsonArray a) {
      for (var item : a) {
        if (hasNul(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Object clean(Object value) {
    if (value instanceof String s) {
      return text(s);
    }
    if (value instanceof JsonObject o) {
      var copy = new JsonObject();
      for (Map.Entry<String, Object> e : o) {
        copy.put(text(e.getKey()), clean(e.getValue()));
      }
      return copy;
    }
    if (value instanceof JsonArray a) {
      var copy = new JsonArray();
      for (var item : a) {
        copy.add(clean(item));
      }
      return copy;
    }
    return value;
  }
}
