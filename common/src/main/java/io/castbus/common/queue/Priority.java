package io.castbus.common.queue;

import java.util.Locale;

/** Queue order: a lower rank is claimed first. */
public enum Priority {
  CRITICAL, HIGH, NORMAL, LOW;

  public int rank() {
    return ordinal();
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Priority ofRank(int rank) {
    return values()[Math.max(0, Math.min(rank, values().length - 1))];
  }

  /** Parses {@code critical|high|normal|low}; throws {@link IllegalArgumentException} naming the value otherwise. */
  public static Priority parse(String value) {
    for (var p : values()) {
      if (p.wire().equals(value)) {
        return p;
      }
    }
    throw new IllegalArgumentException("priority must be one of critical, high, normal, low; got '" + value + "'");
  }
}
