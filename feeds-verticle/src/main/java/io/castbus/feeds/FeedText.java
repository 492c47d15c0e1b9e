package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import com.rometools.rome.io.impl.XmlFixerReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns the bytes of a feed as found in the wild into XML text a strict parser accepts, the way a listener expects:
 * the real charset (BOMs, UTF-16/32 with or without BOM, mislabeled Latin-1 and UTF-8), no stray XML declaration
 * after a comment, undeclared {@code itunes:}/{@code podcast:} prefixes declared, HTML entities and bare ampersands
 * made XML, control characters dropped. A DOCTYPE is refused: no entity expansion, no external fetch, ever.
 */
final class FeedText {

  static final Map<String, String> KNOWN_NAMESPACES = Map.ofEntries(
      Map.entry("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
      Map.entry("podcast", "https://podcastindex.org/namespace/1.0"),
      Map.entry("googleplay", "http://www.google.com/schemas/play-podcasts/1.0"),
      Map.entry("media", "http://search.yahoo.com/mrss/"),
      Map.entry("atom", "http://www.w3.org/2005/Atom"),
      Map.entry("content", "http://purl.org/rss/1.0/modules/content/"),
      Map.entry("dc", "http://purl.org/dc/elements/1.1/"),
      Map.entry("psc", "http://podlove.org/simple-chapters"),
      Map.entry("sy", "http://purl.org/rss/1.0/modules/syndication/"),
      Map.entry("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
      Map.entry("fh", "http://purl.org/syndication/history/1.0"),
      Map.entry("spotify", "http://www.spotify.com/ns/rss"));

  private static final Set<String> XML_ENTITIES = Set.of("amp", "lt", "gt", "quot", "apos");
  private static final Map<String, String> HTML_ENTITIES = new ConcurrentHashMap<>();
  private static final Pattern DECLARED_ENCODING =
      Pattern.compile("^\\s*<\\?xml[^>]*?encoding\\s*=\\s*[\"']([A-Za-z0-9._:-]+)[\"']");
  private static final Pattern LEADING_DECLARATION =
      Pattern.compile("^(\\s*(?:<!--[\\s\\S]*?-->\\s*)*)<\\?xml\\s[^>]*\\?>");
  private static final Pattern DOCTYPE = Pattern.compile("<!DOCTYPE", Pattern.CASE_INSENSITIVE);
  private static final Pattern DECLARED_PREFIX = Pattern.compile("xmlns:([A-Za-z_][\\w.-]*)\\s*=");
  private static final Pattern ATTRIBUTE_PREFIX =
      Pattern.compile("\\s([A-Za-z_][\\w.-]*):[A-Za-z_][\\w.-]*\\s*=\\s*[\"']");

  private FeedText() {
  }

  /** The feed as clean XML text. {@code httpCharset} is the Content-Type charset, when the server sent one. */
  static String of(byte[] bytes, String httpCharset) {
    var text = decode(bytes, httpCharset);
    var start = 0;
    while (start < text.length() && (text.charAt(start) == '\uFEFF' || Character.isWhitespace(text.charAt(start)))) {
      start++;
    }
    text = text.substring(start);
    if (text.isEmpty()) {
      throw RunFailure.permanent("empty", "the feed is empty");
    }
    text = LEADING_DECLARATION.matcher(text).replaceFirst("$1");
    var doctype = DOCTYPE.matcher(text).region(0, rootStart(text));
    if (doctype.find()) {
      throw RunFailure.permanent("doctype_refused", "the document declares a DOCTYPE (line "
          + line(text, doctype.start()) + "); DOCTYPEs are refused so that no entity is expanded and nothing "
          + "outside the feed is fetched");
    }
    var prefixes = new LinkedHashMap<String, Boolean>();
    var cleaned = clean(text, prefixes);
    return prefixes.isEmpty() ? cleaned : declarePrefixes(cleaned, prefixes.keySet());
  }

  /** Where the first element starts: a DOCTYPE can only come before it. */
  private static int rootStart(String text) {
    var i = text.indexOf('<');
    while (i >= 0 && i + 1 < text.length()) {
      var next = text.charAt(i + 1);
      if (next == '!' && text.startsWith("<!--", i)) {
        var end = text.indexOf("-->", i + 4);
        i = end < 0 ? -1 : text.indexOf('<', end + 3);
      } else if (next == '!' || next == '?') {
        var end = text.indexOf('>', i + 2);
        if (next == '!' && text.regionMatches(true, i + 2, "DOCTYPE", 0, 7)) {
          return text.length();
        }
        i = end < 0 ? -1 : text.indexOf('<', end + 1);
      } else {
        return i;
      }
    }
    return text.length();
  }

  /** The 1-based line of a character offset. */
  static int line(String text, int offset) {
    var line = 1;
    for (var i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  static String decode(byte[] b, String httpCharset) {
    var n = b.length;
    if (n >= 4 && b[0] == (byte) 0xFF && b[1] == (byte) 0xFE && b[2] == 0 && b[3] == 0) {
      return decode(b, 4, Charset.forName("UTF-32LE"));
    }
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == (byte) 0xFE && b[3] == (byte) 0xFF) {
      return decode(b, 4, Charset.forName("UTF-32BE"));
    }
    if (n >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
      return decode(b, 3, StandardCharsets.UTF_8);
    }
    if (n >= 2 && b[0] == (byte) 0xFF && b[1] == (byte) 0xFE) {
      return decode(b, 2, StandardCharsets.UTF_16LE);
    }
    if (n >= 2 && b[0] == (byte) 0xFE && b[1] == (byte) 0xFF) {
      return decode(b, 2, StandardCharsets.UTF_16BE);
    }
    if (n >= 4 && b[0] == '<' && b[1] == 0 && b[2] == 0 && b[3] == 0) {
      return decode(b, 0, Charset.forName("UTF-32LE"));
    }
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == '<') {
      return decode(b, 0, Charset.forName("UTF-32BE"));
    }
    if (n >= 2 && b[0] == '<' && b[1] == 0) {
      return decode(b, 0, StandardCharsets.UTF_16LE);
    }
    if (n >= 2 && b[0] == 0 && b[1] == '<') {
      return decode(b, 0, StandardCharsets.UTF_16BE);
    }
    var head = new String(b, 0, Math.min(n, 512), StandardCharsets.ISO_8859_1);
    var m = DECLARED_ENCODING.matcher(head);
    var declared = charset(m.find() ? m.group(1) : httpCharset);
    var utf8 = strictUtf8(b);
    if (utf8 != null && (declared == null || declared.equals(StandardCharsets.UTF_8)
        || (isLatin(declared) && !isAscii(b)))) {
      return utf8;
    }
    if (declared != null && !declared.equals(StandardCharsets.UTF_8)) {
      return decode(b, 0, declared);
    }
    return decode(b, 0, Charset.forName("windows-1252"));
  }

  private static String decode(byte[] b, int offset, Charset charset) {
    return new String(b, offset, b.length - offset, charset);
  }

  private static String strictUtf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static Charset charset(String name) {
    if (name == null) {
      return null;
    }
    try {
      return Charset.forName(name.trim());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean isLatin(Charset c) {
    var name = c.name().toLowerCase(Locale.ROOT);
    return name.equals("iso-8859-1") || name.equals("windows-1252") || name.equals("us-ascii");
  }

  private static boolean isAscii(byte[] b) {
    for (var x : b) {
      if (x < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * One pass outside CDATA sections and comments: named entities XML does not know become character references
   * (or literal text when HTML does not know them either), bare ampersands are escaped, and characters XML 1.0
   * forbids are dropped everywhere.
   */
  private static String clean(String text, Map<String, Boolean> prefixes) {
    var out = new StringBuilder(text.length() + 64);
    var n = text.length();
    var i = 0;
    while (i < n) {
      var c = text.charAt(i);
      if (c == '<' && text.startsWith("<![CDATA[", i)) {
        var end = text.indexOf("]]>", i + 9);
        var stop = end < 0 ? n : end + 3;
        appendValid(out, text, i, stop);
        i = stop;
      } else if (c == '<' && text.startsWith("<!--", i)) {
        var end = text.indexOf("-->", i + 4);
        var stop = end < 0 ? n : end + 3;
        appendValid(out, text, i, stop);
        i = stop;
      } else if (c == '&') {
        i = entity(out, text, i);
      } else if (c == '<' && i + 1 < n && isNameStart(text.charAt(i + 1))) {
        var end = i + 1;
        var colon = -1;
        while (end < n && isNameChar(text.charAt(end))) {
          if (text.charAt(end) == ':' && colon < 0) {
            colon = end;
          }
          end++;
        }
        if (colon > 0) {
          prefixes.putIfAbsent(text.substring(i + 1, colon), Boolean.TRUE);
        }
        out.append(text, i, end);
        i = end;
      } else {
        if (valid(c)) {
          out.append(c);
        }
        i++;
      }
    }
    return out.toString();
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == ':';
  }

  private static int entity(StringBuilder out, String text, int at) {
    var n = text.length();
    var j = at + 1;
    if (j < n && text.charAt(j) == '#') {
      j++;
      var hex = j < n && (text.charAt(j) == 'x' || text.charAt(j) == 'X');
      if (hex) {
        j++;
      }
      var digits = j;
      while (j < n && (hex ? Character.digit(text.charAt(j), 16) >= 0 : Character.isDigit(text.charAt(j)))) {
        j++;
      }
      if (j > digits && j < n && text.charAt(j) == ';' && validReference(text.substring(digits, j), hex)) {
        out.append(text, at, j + 1);
        return j + 1;
      }
      out.append("&amp;");
      return at + 1;
    }
    while (j < n && j - at < 40 && Character.isLetterOrDigit(text.charAt(j))) {
      j++;
    }
    if (j == at + 1 || j >= n || text.charAt(j) != ';') {
      out.append("&amp;");
      return at + 1;
    }
    var name = text.substring(at + 1, j);
    if (XML_ENTITIES.contains(name)) {
      out.append(text, at, j + 1);
    } else {
      var coded = htmlEntity(name);
      out.append(coded == null ? "&amp;" + name + ";" : coded);
    }
    return j + 1;
  }

  private static boolean validReference(String digits, boolean hex) {
    try {
      var code = Integer.parseInt(digits, hex ? 16 : 10);
      return code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF)
          || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The character reference ROME's HTML entity table gives a name, or null when it has none. */
  private static String htmlEntity(String name) {
    var coded = HTML_ENTITIES.computeIfAbsent(name, k -> {
      try (var reader = new XmlFixerReader(new StringReader("&" + k + ";"))) {
        var sb = new StringBuilder();
        for (int c = reader.read(); c >= 0; c = reader.read()) {
          sb.append((char) c);
        }
        var s = sb.toString();
        return s.startsWith("&#") ? s : "";
      } catch (IOException e) {
        return "";
      }
    });
    return coded.isEmpty() ? null : coded;
  }

  private static void appendValid(StringBuilder out, String text, int from, int to) {
    for (var i = from; i < to; i++) {
      var c = text.charAt(i);
      if (valid(c)) {
        out.append(c);
      }
    }
  }

  private static boolean valid(char c) {
    return c >= 0x20 ? c != 0xFFFE && c != 0xFFFF : c == '\t' || c == '\n' || c == '\r';
  }

  /**
   * Declares on the root element every element prefix the document uses without declaring it anywhere, and then
   * every attribute prefix likewise (a document that declares its element prefixes is taken to declare the others).
   */
  private static String declarePrefixes(String text, java.util.Collection<String> elementPrefixes) {
    var declared = new java.util.HashSet<String>();
    var m = DECLARED_PREFIX.matcher(text);
    while (m.find()) {
      declared.add(m.group(1));
    }
    var missing = new LinkedHashMap<String, String>();
    for (var prefix : elementPrefixes) {
      addMissing(missing, declared, prefix);
    }
    if (missing.isEmpty()) {
      return text;
    }
    var used = ATTRIBUTE_PREFIX.matcher(text);
    while (used.find()) {
      addMissing(missing, declared, used.group(1));
    }
    if (missing.isEmpty()) {
      return text;
    }
    var at = rootStart(text);
    if (at >= text.length()) {
      return text;
    }
    var nameEnd = at + 1;
    while (nameEnd < text.length() && isNameChar(text.charAt(nameEnd))) {
      nameEnd++;
    }
    var declarations = new StringBuilder();
    missing.forEach((prefix, uri) -> declarations.append(" xmlns:").append(prefix).append("=\"").append(uri)
        .append('"'));
    return text.substring(0, nameEnd) + declarations + text.substring(nameEnd);
  }

  private static void addMissing(Map<String, String> missing, java.util.Set<String> declared, String prefix) {
    if (!declared.contains(prefix) && !prefix.equals("xmlns") && !prefix.equals("xml")) {
      missing.putIfAbsent(prefix, KNOWN_NAMESPACES.getOrDefault(prefix.toLowerCase(Locale.ROOT),
          "urn:castbus:undeclared:" + prefix));
    }
  }
}
