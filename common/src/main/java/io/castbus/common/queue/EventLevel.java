package io.castbus.common.queue;

import java.util.Locale;

public enum EventLevel {
  INFO, WARN, ERROR;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
