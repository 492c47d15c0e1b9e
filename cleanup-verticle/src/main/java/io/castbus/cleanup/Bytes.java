package io.castbus.cleanup;

import java.util.Locale;

/** Byte counts as people read them. */
final class Bytes {

  private Bytes() {
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    var units = "KMGTPE";
    var exp = (int) (Math.log(bytes) / Math.log(1024));
    return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, exp), units.charAt(exp - 1));
  }
}
