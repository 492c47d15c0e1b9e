package io.castbus.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options after the subcommand; unknown names and malformed numbers are refused. */
final class BenchArgs {

  private final Map<String, String> values;

  private BenchArgs(Map<String, String> values) {
    this.values = values;
  }

  static BenchArgs parse(List<String> args, Set<String> known) {
    var values = new HashMap<String, String>();
    for (var i = 0; i < args.size(); i++) {
      var name = args.get(i);
      if (!name.startsWith("--") || !known.contains(name.substring(2))) {
        throw new IllegalArgumentException("unknown option " + name + " (known: --" + String.join(", --", known) + ")");
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      values.put(name.substring(2), args.get(++i));
    }
    return new BenchArgs(values);
  }

  int integer(String name, int fallback, int min) {
    var raw = values.get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      var n = Integer.parseInt(raw.replace("_", ""));
      if (n < min) {
        throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got " + raw);
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String databaseUrl() {
    var url = values.getOrDefault("database-url", System.getenv("DATABASE_URL"));
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--database-url postgresql://user@host:5432/db is required");
    }
    return url;
  }
}
