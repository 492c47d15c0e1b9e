package io.castbus.common.queue;

import java.util.Locale;

/** Where a run is in its life. {@code stalled} is only ever published, never stored: it turns into queued or failed. */
public enum RunStatus {
  QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED, STALLED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  public static RunStatus parse(String value) {
    for (var s : values()) {
      if (s.wire().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "status must be one of queued, running, completed, failed, cancelled; got '" + value + "'");
  }
}
