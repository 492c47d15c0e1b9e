package io.castbus.downloads;

import io.castbus.common.files.NameTemplate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names in the library (SPEC §7): safe on Linux, macOS and Windows shares — no {@code <>:"/\|?*}, no control
 * characters, no leading or trailing dot or space, no reserved device name, at most 200 bytes — whatever a feed says.
 */
final class FileNames {

  static final int MAX_BYTES = 200;
  static final String PART = ".part";

  private static final Pattern UNSAFE =
      Pattern.compile("[<>:\"/\\\\|?*\\p{Cntrl}\\p{Zl}\\p{Zp}\\x{FEFF}\\x{200B}-\\x{200F}]");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern RESERVED = Pattern.compile("(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\\..*)?");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final Set<String> MEDIA_EXTENSIONS = Set.of("mp3", "m4a", "m4b", "aac", "ogg", "oga", "opus",
      "flac", "wav", "mp4", "m4v", "mov", "webm", "mkv", "avi", "wma", "3gp");
  private static final Map<String, String> TYPE_EXTENSIONS = Map.ofEntries(
      Map.entry("audio/mpeg", "mp3"), Map.entry("audio/mp3", "mp3"), Map.entry("audio/x-mpeg", "mp3"),
      Map.entry("audio/mp4", "m4a"), Map.entry("audio/x-m4a", "m4a"), Map.entry("audio/m4a", "m4a"),
      Map.entry("audio/aac", "aac"), Map.entry("audio/ogg", "ogg"), Map.entry("audio/opus", "opus"),
      Map.entry("audio/flac", "flac"), Map.entry("audio/x-flac", "flac"), Map.entry("audio/wav", "wav"),
      Map.entry("audio/x-wav", "wav"), Map.entry("video/mp4", "mp4"), Map.entry("video/x-m4v", "m4v"),
      Map.entry("video/quicktime", "mov"), Map.entry("video/webm", "webm"), Map.entry("audio/webm", "webm"));

  private FileNames() {
  }

  /** A safe single path element from any text; {@code fallback} when nothing usable is left. */
  static String sanitize(String text, String fallback, int maxBytes) {
    var s = text == null ? "" : UNSAFE.matcher(text).replaceAll(" ");
    s = SPACES.matcher(s).replaceAll(" ");
    s = trimDotsAndSpaces(s);
    if (s.isEmpty()) {
      s = fallback;
    }
    if (RESERVED.matcher(s).matches()) {
      s = "_" + s;
    }
    return trimDotsAndSpaces(truncate(s, maxBytes));
  }

  /** The podcast's folder name, before uniqueness is decided. */
  static String folder(String title) {
    return folder(DEFAULT_FOLDER, title, null);
  }

  /** The podcast's folder name from {@code template}, before uniqueness is decided. */
  static String folder(NameTemplate template, String title, String author) {
    var name = template.expand(field -> switch (field) {
      case "podcast" -> sanitize(title, "Podcast", MAX_BYTES);
      case "author" -> sanitize(author, "Unknown author", MAX_BYTES);
      default -> "";
    });
    return sanitize(name, sanitize(title, "Podcast", MAX_BYTES), MAX_BYTES);
  }

  /** {@code <yyyy-MM-dd> - <title>} with an optional {@code " (n)"} and the extension, at most 200 bytes. */
  static String episode(Instant published, String title, String extension, int copy) {
    return episode(DEFAULT_FILE, new Fields(title, published, null, null, null, null, null), extension, copy);
  }

  /** What an episode's file name may be made of. */
  record Fields(String title, Instant published, Integer episode, Integer season, String guid, String podcast,
      String author) {
  }

  /**
   * The episode's file name from {@code template}, with an optional {@code " (n)"} and the extension, at most 200
   * bytes: each field made safe on its own, then the whole name.
   */
  static String episode(NameTemplate template, Fields f, String extension, int copy) {
    var suffix = (copy > 1 ? " (" + copy + ")" : "") + "." + extension;
    var room = MAX_BYTES - utf8(suffix);
    var name = template.expand(field -> switch (field) {
      case "title" -> sanitize(f.title(), "Episode", MAX_BYTES);
      case "date" -> f.published() == null ? "undated" : DAY.format(f.published());
      case "year" -> f.published() == null ? "undated" : String.valueOf(f.published().atZone(ZoneOffset.UTC).getYear());
      case "episode" -> f.episode() == null ? "" : String.valueOf(f.episode());
      case "season" -> f.season() == null ? "" : String.valueOf(f.season());
      case "guid8" -> guid8(f.guid());
      case "podcast" -> sanitize(f.podcast(), "Podcast", MAX_BYTES);
      case "author" -> sanitize(f.author(), "Unknown author", MAX_BYTES);
      default -> "";
    });
    return sanitize(name, sanitize(f.title(), "Episode", room), room) + suffix;
  }

  /** The first 8 hex digits of the SHA-256 of the GUID: short, stable, and the same on every replica. */
  static String guid8(String guid) {
    if (guid == null) {
      return "";
    }
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256").digest(guid.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static final NameTemplate DEFAULT_FOLDER = NameTemplate.parse("FOLDER_TEMPLATE", NameTemplate.DEFAULT_FOLDER, true);
  static final NameTemplate DEFAULT_FILE = NameTemplate.parse("FILE_TEMPLATE", NameTemplate.DEFAULT_FILE, false);

  /** The extension from the URL's last path segment when it names a media type, else from the content type. */
  static String extension(String url, String contentType) {
    try {
      var path = URI.create(url).getPath();
      if (path != null) {
        var dot = path.lastIndexOf('.');
        if (dot > path.lastIndexOf('/')) {
          var ext = path.substring(dot + 1).toLowerCase(Locale.ROOT);
          if (MEDIA_EXTENSIONS.contains(ext)) {
            return ext;
          }
        }
      }
    } catch (IllegalArgumentException ignored) {
      // An unparseable URL names no extension; the content type may.
    }
    if (contentType != null) {
      var type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
      var ext = TYPE_EXTENSIONS.get(type);
      if (ext != null) {
        return ext;
      }
    }
    return "mp3";
  }

  private static String trimDotsAndSpaces(String s) {
    var start = 0;
    var end = s.length();
    while (start < end && (s.charAt(start) == '.' || s.charAt(start) == ' ')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ' ')) {
      end--;
    }
    return s.substring(start, end);
  }

  /** At most {@code maxBytes} of UTF-8, cut between code points. */
  static String truncate(String s, int maxBytes) {
    if (utf8(s) <= maxBytes) {
      return s;
    }
    var out = new StringBuilder();
    var bytes = 0;
    for (var i = 0; i < s.length(); ) {
      var cp = s.codePointAt(i);
      var n = utf8(new String(Character.toChars(cp)));
      if (bytes + n > maxBytes) {
        break;
      }
      out.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
