package io.castbus.gateway;

import io.vertx.core.json.JsonObject;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes a personal feed: RSS 2.0 with the iTunes namespace, as podcast apps read it. Each item keeps the GUID, title,
 * description, date and duration its source feed gave, so an app that already knew an episode does not see a new one;
 * only the enclosure points at the library. Characters XML 1.0 cannot carry are dropped.
 */
final class RssWriter {

  static final String ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd";
  private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

  /** The channel: title, description, link, author, language and artwork. */
  record Channel(String title, String description, String link, String author, String language, String imageUrl) {
  }

  private RssWriter() {
  }

  /**
   * The feed of {@code channel} with {@code episodes} (as the library service answers them), each enclosure at the
   * URL {@code media} gives; {@code podcasts} names each episode's podcast (for the author of an item).
   */
  static String write(Channel channel, Iterable<Object> episodes, Function<JsonObject, String> media,
      Function<Long, JsonObject> podcasts) {
    var out = new StringWriter();
    try {
      var xml = FACTORY.createXMLStreamWriter(out);
      xml.setPrefix("itunes", ITUNES);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeStartElement("rss");
      xml.writeAttribute("version", "2.0");
      xml.writeNamespace("itunes", ITUNES);
      xml.writeStartElement("channel");
      element(xml, "title", channel.title());
      element(xml, "link", channel.link());
      element(xml, "description", channel.description() == null ? channel.title() : channel.description());
      element(xml, "language", channel.language());
      element(xml, "generator", "Castbus");
      itunes(xml, "author", channel.author());
      if (channel.imageUrl() != null) {
        xml.writeEmptyElement(ITUNES, "image");
        xml.writeAttribute("href", clean(channel.imageUrl()));
        xml.writeStartElement("image");
        element(xml, "url", channel.imageUrl());
        element(xml, "title", channel.title());
        element(xml, "link", channel.link());
        xml.writeEndElement();
      }
      for (var value : episodes) {
        var e = (JsonObject) value;
        var podcast = podcasts.apply(e.getLong("podcast_id"));
        xml.writeStartElement("item");
        element(xml, "title", e.getString("title"));
        element(xml, "description", e.getString("description"));
        xml.writeStartElement("guid");
        xml.writeAttribute("isPermaLink", "false");
        xml.writeCharacters(clean(e.getString("guid")));
        xml.writeEndElement();
        var published = e.getString("published_at") != null ? e.getString("published_at")
            : e.getString("downloaded_at");
        if (published != null) {
          element(xml, "pubDate", DateTimeFormatter.RFC_1123_DATE_TIME.format(
              Instant.parse(published).atOffset(ZoneOffset.UTC)));
        }
        xml.writeEmptyElement("enclosure");
        xml.writeAttribute("url", clean(media.apply(e)));
        xml.writeAttribute("length", String.valueOf(e.getLong("bytes", 0L)));
        xml.writeAttribute("type", MediaFiles.type(e.getString("enclosure_type"),
            java.nio.file.Path.of(e.getString("file_path"))));
        itunes(xml, "author", podcast == null ? null
            : podcast.getString("author") != null ? podcast.getString("author") : podcast.getString("title"));
        itunes(xml, "duration", e.getInteger("duration_s") == null ? null : e.getInteger("duration_s").toString());
        itunes(xml, "episode", e.getInteger("episode_number") == null ? null : e.getInteger("episode_number").toString());
        itunes(xml, "season", e.getInteger("season_number") == null ? null : e.getInteger("season_number").toString());
        var image = e.getString("image_url") != null ? e.getString("image_url")
            : podcast == null ? null : podcast.getString("image_url");
        if (image != null) {
          xml.writeEmptyElement(ITUNES, "image");
          xml.writeAttribute("href", clean(image));
        }
        xml.writeEndElement();
      }
      xml.writeEndElement();
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("the feed could not be written: " + e.getMessage(), e);
    }
    return out.toString();
  }

  private static void element(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
    if (text != null) {
      xml.writeStartElement(name);
      xml.writeCharacters(clean(text));
      xml.writeEndElement();
    }
  }

  private static void itunes(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
    if (text != null) {
      xml.writeStartElement(ITUNES, name);
      xml.writeCharacters(clean(text));
      xml.writeEndElement();
    }
  }

  /** The text without the characters XML 1.0 does not allow (controls other than tab, newline and return). */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    var out = new StringBuilder(s.length());
    s.codePoints().filter(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)).forEach(out::appendCodePoint);
    return out.toString();
  }
}
