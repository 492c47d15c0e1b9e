package io.castbus.common;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a keyset-paged listing ends: the last row's sort time (null where it sorts without one) and id, as the
 * opaque text clients pass back ({@code next_cursor} → {@code cursor}). Every paged listing uses this one codec.
 */
public record PageCursor(OffsetDateTime at, String id) {

  public static PageCursor of(OffsetDateTime at, Object id) {
    return new PageCursor(at, String.valueOf(id));
  }

  public String encode() {
    var raw = (at == null ? "" : at.toString()) + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** A cursor this API gave; anything else is a 400 that names it. */
  public static PageCursor decode(String text) {
    try {
      var raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      var bar = raw.lastIndexOf('|');
      var at = raw.substring(0, bar);
      var id = raw.substring(bar + 1);
      if (id.isEmpty()) {
        throw new IllegalArgumentException("no id");
      }
      return new PageCursor(at.isEmpty() ? null : OffsetDateTime.parse(at), id);
    } catch (RuntimeException e) {
      throw ServiceError.badRequest("cursor '" + text + "' is not a cursor from a previous page");
    }
  }

  public UUID uuid() {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ServiceError.badRequest("cursor '" + encode() + "' is not a cursor from a previous page");
    }
  }

  public long number() {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw ServiceError.badRequest("cursor '" + encode() + "' is not a cursor from a previous page");
    }
  }
}
