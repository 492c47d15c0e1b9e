package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import com.rometools.rome.feed.atom.Entry;
import com.rometools.rome.feed.rss.Item;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.ParsingFeedException;
import com.rometools.rome.io.SyndFeedInput;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jdom2.Element;

/**
 * Reads RSS and Atom feeds with ROME, from bytes cleaned by {@link FeedText}, with DOCTYPEs refused. Blocking and
 * CPU-bound: call it off the event loop. Failures are {@link io.castbus.common.queue.RunFailure}s naming the line and the cause.
 */
final class FeedParser {

  static final int MAX_DESCRIPTION = 10_000;
  private static final Pattern REDIRECT =
      Pattern.compile("^<rss[^>]*>\\s*<redirect>\\s*<newLocation>\\s*([^<\\s]+)\\s*</newLocation>", Pattern.DOTALL);

  private FeedParser() {
  }

  /** Parses a feed fetched from {@code feedUrl} (after redirects), resolving relative URLs against it. */
  static ParsedFeed parse(byte[] bytes, String httpCharset, String feedUrl) {
    var text = FeedText.of(bytes, httpCharset);
    var base = base(feedUrl);
    var redirect = REDIRECT.matcher(text);
    if (redirect.find()) {
      return new ParsedFeed(null, null, null, null, null, null, resolve(base, redirect.group(1)), List.of());
    }
    SyndFeed feed;
    try {
      var input = new SyndFeedInput(false, Locale.ROOT);
      input.setAllowDoctypes(false);
      input.setXmlHealerOn(false);
      input.setPreserveWireFeed(true);
      feed = input.build(new StringReader(text));
    } catch (ParsingFeedException e) {
      if (e.getLineNumber() > 0) {
        throw RunFailure.permanent("invalid_xml", "the feed is not well-formed XML: line " + e.getLineNumber()
            + ", column " + e.getColumnNumber() + ": " + cause(e).replaceFirst("^Error on line \\d+: ", ""));
      }
      throw RunFailure.permanent("not_a_feed", e.getCause() instanceof NullPointerException
          ? "the document is not a feed: its <rss> element has no <channel>"
          : "the document is not an RSS or Atom feed: " + cause(e));
    } catch (IllegalArgumentException e) {
      throw RunFailure.permanent("not_a_feed", "the document is not an RSS or Atom feed: " + e.getMessage());
    } catch (com.rometools.rome.io.FeedException | RuntimeException e) {
      throw RunFailure.permanent("not_a_feed", "the document is not an RSS or Atom feed: " + cause(e));
    }
    var items = new ArrayList<ParsedFeed.Item>(feed.getEntries().size());
    for (var entry : feed.getEntries()) {
      items.add(item(entry, base));
    }
    var markup = feed.getForeignMarkup();
    // The podcast's artwork: itunes:image (square, what podcast apps show), else the RSS <image>.
    var itunesImage = attribute(markup, "image", "href");
    var image = itunesImage != null ? itunesImage : feed.getImage() != null ? feed.getImage().getUrl() : null;
    var author = text(markup, "author");
    return new ParsedFeed(trim(feed.getTitle()), limit(feed.getDescription()), resolve(base, feed.getLink()),
        resolve(base, image), author != null ? author : trim(feed.getAuthor()), trim(feed.getLanguage()),
        resolve(base, text(markup, "new-feed-url")), items);
  }

  private static ParsedFeed.Item item(SyndEntry entry, URI base) {
    String guid;
    if (entry.getWireEntry() instanceof Item rss) {
      guid = rss.getGuid() == null ? null : trim(rss.getGuid().getValue());
    } else if (entry.getWireEntry() instanceof Entry atom) {
      guid = trim(atom.getId());
    } else {
      guid = trim(entry.getUri());
    }
    String enclosure = null;
    String type = null;
    Long length = null;
    for (var e : entry.getEnclosures()) {
      var url = resolve(base, e.getUrl());
      if (url != null) {
        enclosure = url;
        type = trim(e.getType());
        length = e.getLength() > 0 ? e.getLength() : null;
        break;
      }
    }
    if (enclosure == null) {
      enclosure = resolve(base, attribute(entry.getForeignMarkup(), "content", "url"));
    }
    var published = entry.getPublishedDate() != null ? entry.getPublishedDate() : entry.getUpdatedDate();
    var description = entry.getDescription() != null ? entry.getDescription().getValue()
        : entry.getContents().isEmpty() ? null : entry.getContents().get(0).getValue();
    var markup = entry.getForeignMarkup();
    return new ParsedFeed.Item(guid, trim(entry.getTitle()), limit(description), resolve(base, entry.getLink()),
        published == null ? null : published.toInstant(), duration(text(markup, "duration")),
        enclosure, type, length, resolve(base, attribute(markup, "image", "href")), number(text(markup, "episode")),
        number(text(markup, "season")));
  }

  /** {@code itunes:duration} as seconds: "3600", "1:00:00", "60:00"; null when unreadable. */
  static Integer duration(String value) {
    if (value == null) {
      return null;
    }
    var seconds = 0L;
    for (var part : value.trim().split(":")) {
      try {
        seconds = seconds * 60 + (long) Double.parseDouble(part.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return seconds >= 0 && seconds < Integer.MAX_VALUE ? (int) seconds : null;
  }

  /** {@code itunes:episode} or {@code itunes:season}: a positive whole number, else null. */
  static Integer number(String value) {
    if (value == null) {
      return null;
    }
    try {
      var n = Integer.parseInt(value.trim());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String text(List<Element> markup, String name) {
    for (var e : markup) {
      if (e.getName().equals(name)) {
        return trim(e.getTextNormalize());
      }
    }
    return null;
  }

  private static String attribute(List<Element> markup, String name, String attribute) {
    for (var e : markup) {
      if (e.getName().equals(name) && e.getAttributeValue(attribute) != null) {
        return e.getAttributeValue(attribute);
      }
    }
    return null;
  }

  private static URI base(String feedUrl) {
    try {
      return feedUrl == null ? null : new URI(feedUrl);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /** The URL trimmed and made absolute against the feed's URL; null when blank or not a URL. */
  static String resolve(URI base, String url) {
    var u = trim(url);
    if (u == null) {
      return null;
    }
    try {
      var uri = new URI(u.replace(" ", "%20"));
      return base == null || uri.isAbsolute() ? uri.toString() : base.resolve(uri).toString();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return u;
    }
  }

  private static String limit(String s) {
    var t = trim(s);
    return t == null || t.length() <= MAX_DESCRIPTION ? t : t.substring(0, MAX_DESCRIPTION);
  }

  static String trim(String s) {
    if (s == null) {
      return null;
    }
    var t = s.strip();
    return t.isEmpty() ? null : t;
  }

  private static String cause(Throwable e) {
    var message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
        : e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
