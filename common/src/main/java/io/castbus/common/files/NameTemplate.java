package io.castbus.common.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A naming template for the library: literal text and {@code {field}}s, one path element (no {@code /}). Folder
 * templates may use the podcast's fields, file templates every field; the extension is added to file names. What a
 * template expands to is made safe by the caller's sanitizer (SPEC §7), so a template cannot name a path outside
 * the library whatever a feed says.
 */
public final class NameTemplate {

  public static final Set<String> PODCAST_FIELDS = Set.of("podcast", "author");
  public static final Set<String> FIELDS = Set.of("podcast", "author", "title", "date", "year", "episode", "season",
      "guid8");
  public static final String DEFAULT_FOLDER = "{podcast}";
  public static final String DEFAULT_FILE = "{date} - {title}";
  static final int MAX_LENGTH = 200;

  private record Part(String literal, String field) {
  }

  private final String text;
  private final List<Part> parts;

  private NameTemplate(String text, List<Part> parts) {
    this.text = text;
    this.parts = parts;
  }

  /**
   * Parses a template; {@code name} (the setting or field it came from) starts every error message. A folder
   * template may use only {@link #PODCAST_FIELDS}.
   */
  public static NameTemplate parse(String name, String template, boolean folder) {
    if (template == null || template.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    if (template.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(name + " must be at most " + MAX_LENGTH + " characters, got "
          + template.length());
    }
    if (template.contains("/") || template.contains("\\")) {
      throw new IllegalArgumentException(name + " must name one file or folder: '/' and '\\' are not allowed");
    }
    if (template.contains("..")) {
      throw new IllegalArgumentException(name + " must not contain '..'");
    }
    if (template.codePoints().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(name + " must not contain control characters");
    }
    var parts = new ArrayList<Part>();
    var i = 0;
    while (i < template.length()) {
      var open = template.indexOf('{', i);
      var close = template.indexOf('}', i);
      if (close >= 0 && (open < 0 || close < open)) {
        throw new IllegalArgumentException(name + ": '}' at position " + (close + 1) + " closes no field");
      }
      if (open < 0) {
        parts.add(new Part(template.substring(i), null));
        break;
      }
      if (open > i) {
        parts.add(new Part(template.substring(i, open), null));
      }
      var end = template.indexOf('}', open);
      if (end < 0) {
        throw new IllegalArgumentException(name + ": the field opened at position " + (open + 1) + " is not closed");
      }
      var field = template.substring(open + 1, end);
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(name + ": unknown field {" + field + "}; the fields are " + known(folder));
      }
      if (folder && !PODCAST_FIELDS.contains(field)) {
        throw new IllegalArgumentException(name + ": {" + field + "} is an episode's field; a folder template may use "
            + known(true));
      }
      parts.add(new Part(null, field));
      i = end + 1;
    }
    if (parts.stream().noneMatch(p -> p.field() != null)) {
      throw new IllegalArgumentException(name + " must use at least one field, such as " + (folder ? "{podcast}"
          : "{title}"));
    }
    return new NameTemplate(template, List.copyOf(parts));
  }

  private static String known(boolean folder) {
    return folder ? "{podcast}, {author}"
        : "{podcast}, {author}, {title}, {date}, {year}, {episode}, {season}, {guid8}";
  }

  /** The text with each field replaced by what {@code value} gives for it (already made safe by the caller). */
  public String expand(Function<String, String> value) {
    var out = new StringBuilder();
    for (var part : parts) {
      if (part.literal() != null) {
        out.append(part.literal());
      } else {
        var v = value.apply(part.field());
        out.append(v == null ? "" : v);
      }
    }
    return out.toString();
  }

  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
