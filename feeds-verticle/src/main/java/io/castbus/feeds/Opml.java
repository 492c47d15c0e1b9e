package io.castbus.feeds;

import io.castbus.common.queue.RunFailure;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * OPML subscription lists: reads the feeds of any outline (nested in folders or not, {@code xmlUrl} in any case),
 * cleaned like a feed and with DOCTYPEs refused; writes OPML 2.0.
 */
final class Opml {

  /** One feed of a list. */
  record Outline(String title, String xmlUrl, String htmlUrl) {
  }

  /** The feeds of a list, and the outlines whose feed URL is not an http(s) URL. */
  record Read(List<Outline> feeds, List<String> invalid) {
  }

  private Opml() {
  }

  /** Reads a list; {@code charset} is the one its Content-Type named, if any. */
  static Read read(byte[] document, String charset) {
    var text = FeedText.of(document, charset);
    var feeds = new LinkedHashMap<String, Outline>();
    var invalid = new ArrayList<String>();
    var sawOpml = new boolean[1];
    try {
      var factory = SAXParserFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setNamespaceAware(false);
      factory.newSAXParser().parse(new InputSource(new StringReader(text)), new DefaultHandler() {
        @Override
        public void startElement(String uri, String local, String name, Attributes attributes) {
          var element = name.toLowerCase(Locale.ROOT);
          if (element.equals("opml")) {
            sawOpml[0] = true;
          }
          if (!element.equals("outline")) {
            return;
          }
          String xmlUrl = null;
          String htmlUrl = null;
          String title = null;
          String label = null;
          for (var i = 0; i < attributes.getLength(); i++) {
            var value = FeedParser.trim(attributes.getValue(i));
            switch (attributes.getQName(i).toLowerCase(Locale.ROOT)) {
              case "xmlurl" -> xmlUrl = value;
              case "htmlurl" -> htmlUrl = value;
              case "title" -> title = value;
              case "text" -> label = value;
              default -> { }
            }
          }
          if (xmlUrl == null) {
            return;
          }
          try {
            var url = io.castbus.common.net.NetworkPolicy.parse(xmlUrl).toString();
            feeds.putIfAbsent(url, new Outline(title != null ? title : label, url, htmlUrl));
          } catch (io.castbus.common.net.NetworkPolicy.Refused e) {
            invalid.add(xmlUrl);
          }
        }
      });
    } catch (SAXParseException e) {
      throw RunFailure.permanent("invalid_opml", "the OPML document is not well-formed XML: line "
          + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage());
    } catch (SAXException | ParserConfigurationException | java.io.IOException e) {
      throw RunFailure.permanent("invalid_opml", "the OPML document cannot be read: " + e.getMessage());
    }
    if (!sawOpml[0]) {
      throw RunFailure.permanent("invalid_opml", "the document is not OPML: it has no <opml> element");
    }
    return new Read(List.copyOf(feeds.values()), invalid);
  }

  static String write(String title, List<Outline> feeds) {
    var out = new StringBuilder(256 + feeds.size() * 160);
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>")
        .append(escape(title)).append("</title>\n  </head>\n  <body>\n");
    for (var f : feeds) {
      var text = f.title() == null ? f.xmlUrl() : f.title();
      out.append("    <outline type=\"rss\" text=\"").append(escape(text)).append("\" title=\"").append(escape(text))
          .append("\" xmlUrl=\"").append(escape(f.xmlUrl())).append('"');
      if (f.htmlUrl() != null) {
        out.append(" htmlUrl=\"").append(escape(f.htmlUrl())).append('"');
      }
      out.append("/>\n");
    }
    return out.append("  </body>\n</opml>\n").toString();
  }

  private static String escape(String s) {
    var out = new StringBuilder(s.length() + 16);
    for (var i = 0; i < s.length(); i++) {
      var c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\n', '\r', '\t' -> out.append("&#").append((int) c).append(';');
        default -> {
          if (c >= 0x20) {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
