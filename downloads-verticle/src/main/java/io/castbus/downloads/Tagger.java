package io.castbus.downloads;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.jaudiotagger.audio.AudioFileIO;
import org.jaudiotagger.audio.mp3.MP3File;
import org.jaudiotagger.tag.FieldKey;
import org.jaudiotagger.tag.Tag;
import org.jaudiotagger.tag.id3.AbstractID3v2Tag;
import org.jaudiotagger.tag.id3.ID3v23Frame;
import org.jaudiotagger.tag.id3.ID3v23Tag;
import org.jaudiotagger.tag.id3.framebody.FrameBodyUnsupported;
import org.jaudiotagger.tag.images.ArtworkFactory;
import org.jaudiotagger.tag.mp4.Mp4FieldKey;
import org.jaudiotagger.tag.mp4.Mp4Tag;
import org.jaudiotagger.tag.mp4.field.Mp4TagTextField;
import org.jaudiotagger.tag.reference.PictureTypes;

/**
 * Writes an episode's tags into its file with jaudiotagger (MP3, M4A/M4B/AAC in MP4, Ogg Vorbis, Opus, FLAC): title,
 * album (the podcast), artist (its author), date, genre {@code Podcast}, episode and season numbers, the description,
 * the cover, and where the format has them the podcast markers (ID3 {@code PCST}, {@code TGID} = GUID,
 * {@code WFED} = feed URL, {@code TDES}; MP4 {@code purl}, {@code egid}, {@code desc}, {@code tves}, {@code tvsn}).
 * Only the tag region changes; the audio is left byte for byte. Blocking: call it off the event loop.
 */
public final class Tagger {

  /** What a file is tagged with; null fields are left out. */
  public record Tags(String title, String album, String artist, Instant date, Integer episode, Integer season,
      String description, String guid, String feedUrl, byte[] cover, String coverType) {
  }

  /** The file could not be tagged; it is kept as it was. */
  public static final class Untaggable extends Exception {
    Untaggable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static final int MAX_DESCRIPTION = 4_000;
  private static final Map<String, String> FORMATS = Map.of("mp3", "mp3", "m4a", "m4a", "m4b", "m4b",
      "mp4", "mp4", "ogg", "ogg", "oga", "ogg", "opus", "opus", "flac", "flac");
  private static final Pattern TAGS = Pattern.compile("<[^>]*>");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  static {
    // jaudiotagger reports through java.util.logging, at SEVERE for ordinary rewrites; failures reach us as exceptions.
    Logger.getLogger("org.jaudiotagger").setLevel(Level.OFF);
  }

  private Tagger() {
  }

  /** Whether files with this extension can be tagged at all. */
  static boolean supports(String extension) {
    return FORMATS.containsKey(extension.toLowerCase(Locale.ROOT));
  }

  /**
   * Tags {@code file}, whose format its final name's {@code extension} gives (the file itself may be a partial), and
   * answers the audio's length in whole seconds as its header gives it, or null when it gives none.
   */
  public static Integer tag(Path file, String extension, Tags tags) throws Untaggable {
    var format = format(file, extension);
    try {
      var audio = AudioFileIO.readAs(new File(file.toString()), format);
      var length = length(audio);
      Tag tag;
      if (audio instanceof MP3File mp3) {
        tag = mp3.hasID3v2Tag() ? mp3.getID3v2Tag() : new ID3v23Tag();
        mp3.setID3v2Tag((AbstractID3v2Tag) tag);
      } else {
        tag = audio.getTagOrCreateAndSetDefault();
      }
      set(tag, FieldKey.TITLE, tags.title());
      set(tag, FieldKey.ALBUM, tags.album());
      set(tag, FieldKey.ARTIST, tags.artist());
      set(tag, FieldKey.ALBUM_ARTIST, tags.artist());
      set(tag, FieldKey.GENRE, "Podcast");
      set(tag, FieldKey.YEAR, tags.date() == null ? null : DAY.format(tags.date()));
      set(tag, FieldKey.TRACK, tags.episode() == null ? null : tags.episode().toString());
      set(tag, FieldKey.DISC_NO, tags.season() == null ? null : tags.season().toString());
      var description = description(tags.description());
      set(tag, FieldKey.COMMENT, description);
      if (tags.cover() != null) {
        var artwork = ArtworkFactory.getNew();
        artwork.setBinaryData(tags.cover());
        artwork.setMimeType(tags.coverType());
        artwork.setPictureType(PictureTypes.DEFAULT_ID);
        tag.deleteArtworkField();
        tag.setField(artwork);
      }
      if (tag instanceof AbstractID3v2Tag id3) {
        podcastFrames(id3, tags, description);
      } else if (tag instanceof Mp4Tag mp4) {
        // jaudiotagger maps purl and egid to number fields; they are written as the text fields they hold.
        text(mp4, "purl", tags.feedUrl());
        text(mp4, "egid", tags.guid());
        set(mp4, Mp4FieldKey.DESCRIPTION, description);
        set(mp4, Mp4FieldKey.TV_EPISODE, tags.episode() == null ? null : tags.episode().toString());
        set(mp4, Mp4FieldKey.TV_SEASON, tags.season() == null ? null : tags.season().toString());
      }
      audio.commit();
      return length;
    } catch (Exception e) {
      throw new Untaggable("the file could not be tagged (" + (e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage()) + ")", e);
    }
  }

  /** The audio's length in whole seconds, read from {@code file}'s header and left untouched; null when unknown. */
  public static Integer length(Path file, String extension) throws Untaggable {
    var format = format(file, extension);
    try {
      return length(AudioFileIO.readAs(new File(file.toString()), format));
    } catch (Exception e) {
      throw new Untaggable("the file's audio could not be read (" + (e.getMessage() == null
          ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
    }
  }

  /** jaudiotagger's format name for {@code extension}, once {@code file}'s first bytes are that format's. */
  private static String format(Path file, String extension) throws Untaggable {
    var format = FORMATS.get(extension.toLowerCase(Locale.ROOT));
    if (format == null) {
      throw new Untaggable("files of type ." + extension + " cannot be tagged", null);
    }
    looksLike(file, format);
    return format;
  }

  private static Integer length(org.jaudiotagger.audio.AudioFile audio) {
    var header = audio.getAudioHeader();
    var seconds = header == null ? 0 : (int) Math.round(header.getPreciseTrackLength());
    return seconds > 0 ? seconds : null;
  }

  /**
   * Refuses at once a file whose first bytes are not those of its format (an HTML error page saved as .mp3, bytes
   * that are not audio at all), so it is not scanned from end to end for audio frames it does not have.
   */
  static void looksLike(Path file, String format) throws Untaggable {
    byte[] head;
    try (var in = java.nio.file.Files.newInputStream(file)) {
      head = in.readNBytes(SNIFF);
    } catch (java.io.IOException e) {
      throw new Untaggable("the file could not be read (" + e.getMessage() + ")", e);
    }
    var ok = switch (format) {
      case "mp3" -> startsWith(head, "ID3") || frameSync(head);
      case "m4a", "m4b", "mp4" -> head.length >= 8 && new String(head, 4, 4, StandardCharsets.ISO_8859_1)
          .equals("ftyp");
      case "ogg", "opus" -> startsWith(head, "OggS");
      case "flac" -> startsWith(head, "fLaC") || startsWith(head, "ID3");
      default -> false;
    };
    if (!ok) {
      throw new Untaggable("the file does not look like " + format.toUpperCase(Locale.ROOT)
          + " audio (its first bytes are not that format's)", null);
    }
  }

  private static final int SNIFF = 8192;

  private static boolean startsWith(byte[] head, String magic) {
    var m = magic.getBytes(StandardCharsets.ISO_8859_1);
    if (head.length < m.length) {
      return false;
    }
    for (var i = 0; i < m.length; i++) {
      if (head[i] != m[i]) {
        return false;
      }
    }
    return true;
  }

  private static final int[] MPEG1_L3_KBPS = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
  private static final int[] MPEG2_L3_KBPS = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
  private static final int[][] SAMPLE_RATES = {{11025, 12000, 8000}, null, {22050, 24000, 16000},
      {44100, 48000, 32000}};

  /** Two MPEG Layer III frames in a row near the start, the second where the first one's length says. */
  static boolean frameSync(byte[] head) {
    for (var i = 0; i + 4 <= head.length; i++) {
      var length = frameLength(head, i);
      if (length > 0 && i + length + 4 <= head.length && frameLength(head, i + length) > 0
          && (head[i + length + 1] & 0xfe) == (head[i + 1] & 0xfe)) {
        return true;
      }
    }
    return false;
  }

  /** The length of the Layer III frame whose header starts at {@code at}, or 0 when there is none. */
  private static int frameLength(byte[] b, int at) {
    if ((b[at] & 0xff) != 0xff || (b[at + 1] & 0xe0) != 0xe0) {
      return 0;
    }
    var version = (b[at + 1] >> 3) & 3;
    var layer = (b[at + 1] >> 1) & 3;
    var bitrate = (b[at + 2] >> 4) & 15;
    var sampling = (b[at + 2] >> 2) & 3;
    if (version == 1 || layer != 1 || bitrate == 0 || bitrate == 15 || sampling == 3) {
      return 0;
    }
    var padding = (b[at + 2] >> 1) & 1;
    var rate = SAMPLE_RATES[version][sampling];
    return version == 3 ? 144_000 * MPEG1_L3_KBPS[bitrate] / rate + padding
        : 72_000 * MPEG2_L3_KBPS[bitrate] / rate + padding;
  }

  /** The iTunes podcast frames, which ID3 has no standard field for. */
  private static void podcastFrames(AbstractID3v2Tag tag, Tags tags, String description) {
    for (var id : new String[] {"PCST", "TGID", "WFED", "TDES"}) {
      tag.removeFrame(id);
    }
    frame(tag, "PCST", new byte[4]);
    text(tag, "TGID", tags.guid());
    text(tag, "WFED", tags.feedUrl());
    text(tag, "TDES", description);
  }

  /** A text frame as iTunes writes them: the encoding byte (1, UTF-16 with BOM), then the text. */
  private static void text(AbstractID3v2Tag tag, String id, String value) {
    if (value == null) {
      return;
    }
    var text = value.getBytes(StandardCharsets.UTF_16);
    var body = new byte[text.length + 1];
    body[0] = 1;
    System.arraycopy(text, 0, body, 1, text.length);
    frame(tag, id, body);
  }

  private static void frame(AbstractID3v2Tag tag, String id, byte[] body) {
    var frame = new ID3v23Frame(id);
    frame.setBody(new FrameBodyUnsupported(id, body));
    tag.setFrame(frame);
  }

  private static void set(Tag tag, FieldKey key, String value) throws Exception {
    if (value != null && !value.isBlank()) {
      tag.setField(key, value);
    }
  }

  private static void text(Mp4Tag tag, String id, String value) throws Exception {
    if (value != null && !value.isBlank()) {
      tag.setField(new Mp4TagTextField(id, value));
    }
  }

  private static void set(Mp4Tag tag, Mp4FieldKey key, String value) throws Exception {
    if (value != null && !value.isBlank()) {
      tag.setField(key, value);
    }
  }

  /** The description as plain text: markup taken out, common entities read, spaces folded, at most 4,000 chars. */
  static String description(String html) {
    if (html == null) {
      return null;
    }
    var text = TAGS.matcher(html).replaceAll(" ").replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&quot;", "\"").replace("&#39;", "'").replace("&apos;", "'").replace("&amp;", "&");
    text = SPACES.matcher(text).replaceAll(" ").strip();
    if (text.isEmpty()) {
      return null;
    }
    return text.length() <= MAX_DESCRIPTION ? text : text.substring(0, MAX_DESCRIPTION - 1) + "…";
  }
}
