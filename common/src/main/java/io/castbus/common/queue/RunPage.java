package io.castbus.common.queue;

import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;

/** A page of runs and the cursor of the next page (null on the last). */
public record RunPage(JsonArray runs, Cursor next) {

  public record Cursor(OffsetDateTime createdAt, UUID id) {

    public String encode() {
      var raw = createdAt + "|" + id;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Throws {@link IllegalArgumentException} when the text is not a cursor this API gave out. */
    public static Cursor decode(String text) {
      try {
        var raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        var bar = raw.indexOf('|');
        return new Cursor(OffsetDateTime.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor '" + text + "' is not a cursor from a previous page");
      }
    }
  }
}
