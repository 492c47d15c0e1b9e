package io.castbus.downloads;

import static io.castbus.downloads.MediaServer.Media;
import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.RunTypes;
import io.castbus.testkit.Audio;
import io.castbus.testkit.Waits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.jaudiotagger.audio.AudioFileIO;
import org.jaudiotagger.audio.mp3.MP3File;
import org.jaudiotagger.tag.FieldKey;
import org.jaudiotagger.tag.mp4.Mp4FieldKey;
import org.jaudiotagger.tag.mp4.Mp4Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files as players read them: real MP3 and M4A files (the testkit's audio, see its LICENSE) served on
 * loopback, downloaded, tagged, and read back with jaudiotagger; the audio bytes compared with the originals; the
 * podcast cover kept as cover.<ext> and not fetched again while unchanged.
 */
@DisplayName("The library's files: tags and artwork written into real MP3 and M4A files, covers kept in the folder")
class LibraryFilesTest {

  @TempDir
  static Path temp;
  static Path library;
  static MediaServer server;
  static DownloadsFixture fx;
  static byte[] png;

  @BeforeAll
  static void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    server = new MediaServer();
    fx = new DownloadsFixture("library_files", library, DownloadsFixture.LIMITS);
    png = png(64, 0x3366cc);
  }

  @AfterAll
  static void stop() {
    fx.close();
    server.close();
  }

  static byte[] png(int size, int rgb) throws Exception {
    var image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (var x = 0; x < size; x++) {
      for (var y = 0; y < size; y++) {
        image.setRGB(x, y, rgb ^ (x * y));
      }
    }
    var out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static String unique(String name) {
    return "/" + UUID.randomUUID() + "/" + name;
  }

  /** A podcast with an author and feed URL, and one pending episode with the given enclosure and details. */
  private static long[] podcastWithEpisode(String title, String enclosure, String type, String imageUrl) {
    return podcastWithEpisode(fx, title, enclosure, type, imageUrl);
  }

  private static long[] podcastWithEpisode(DownloadsFixture fx, String title, String enclosure, String type,
      String imageUrl) {
    var podcast = fx.rows("""
        insert into podcasts (rss_url, title, author, owner) values ($1, $2, 'Ada Host', 'alice') returning id""",
        "https://feeds.example/" + UUID.randomUUID() + ".xml", title).get(0).getLong(0);
    var episode = fx.rows("""
        insert into episodes (podcast_id, guid, title, description, published_at, enclosure_url, enclosure_type,
                              download_status, episode_number, season_number, image_url)
        values ($1, $2, 'Episode one: tags', '<p>All about <b>tags</b> &amp; covers.</p>',
                '2026-11-20T08:00:00Z', $3, $4, 'pending', 7, 2, $5) returning id""",
        podcast, "urn:guid:" + UUID.randomUUID(), enclosure, type, imageUrl).get(0).getLong(0);
    return new long[] {podcast, episode};
  }

  /** The MP3's audio: the bytes after its ID3v2 tag and before an ID3v1 tag. */
  static byte[] mp3Audio(byte[] file) {
    var start = 0;
    if (file.length > 10 && file[0] == 'I' && file[1] == 'D' && file[2] == '3') {
      var size = ((file[6] & 0x7f) << 21) | ((file[7] & 0x7f) << 14) | ((file[8] & 0x7f) << 7) | (file[9] & 0x7f);
      start = 10 + size + ((file[5] & 0x10) != 0 ? 10 : 0);
    }
    var end = file.length;
    if (end - start >= 128 && file[end - 128] == 'T' && file[end - 127] == 'A' && file[end - 126] == 'G') {
      end -= 128;
    }
    return Arrays.copyOfRange(file, start, end);
  }

  /** The M4A's audio: the payload of its top-level mdat box. */
  static byte[] mdat(byte[] file) {
    var buffer = ByteBuffer.wrap(file);
    var at = 0;
    while (at + 8 <= file.length) {
      long size = buffer.getInt(at) & 0xffffffffL;
      var type = new String(file, at + 4, 4, StandardCharsets.US_ASCII);
      var header = 8;
      if (size == 1) {
        size = buffer.getLong(at + 8);
        header = 16;
      } else if (size == 0) {
        size = file.length - at;
      }
      if (type.equals("mdat")) {
        return Arrays.copyOfRange(file, at + header, (int) (at + size));
      }
      at += (int) size;
    }
    throw new AssertionError("no mdat box");
  }

  @Test
  @DisplayName("an MP3 is tagged before it is moved into place: fields, iTunes podcast frames and the episode's image; the audio is unchanged; the length the feed left out is the file's")
  void mp3Tagged() throws Exception {
    var original = Audio.mp3();
    var path = unique("tone.mp3");
    var image = unique("episode.png");
    server.serve(path, Media.file(original));
    server.serve(image, Media.file(png).type("image/png"));
    var ids = podcastWithEpisode("Tag Time", server.url(path), "audio/mpeg", server.url(image));

    var run = fx.finished(fx.download(ids[1]));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    var tags = run.getJsonObject("result").getJsonObject("tags");
    assertThat(tags.getBoolean("tagged")).isTrue();
    assertThat(tags.getString("artwork")).isEqualTo("episode");
    var row = fx.episodeRow(ids[1]);
    var file = library.resolve(row.getString("file_path"));
    var bytes = Files.readAllBytes(file);
    assertThat(row.getLong("bytes")).isEqualTo(bytes.length);
    assertThat(mp3Audio(bytes)).isEqualTo(original);
    // The feed gave no duration; the file's header does (three seconds of tone).
    assertThat(tags.getInteger("duration_s")).isEqualTo(3);
    assertThat(row.getInteger("duration_s")).isEqualTo(3);

    var mp3 = (MP3File) AudioFileIO.read(new File(file.toString()));
    var tag = mp3.getID3v2Tag();
    assertThat(tag.getFirst(FieldKey.TITLE)).isEqualTo("Episode one: tags");
    assertThat(tag.getFirst(FieldKey.ALBUM)).isEqualTo("Tag Time");
    assertThat(tag.getFirst(FieldKey.ARTIST)).isEqualTo("Ada Host");
    assertThat(tag.getFirst(FieldKey.GENRE)).isEqualTo("Podcast");
    assertThat(tag.getFirst(FieldKey.YEAR)).startsWith("2026");
    assertThat(tag.getFirst(FieldKey.TRACK)).isEqualTo("7");
    assertThat(tag.getFirst(FieldKey.DISC_NO)).isEqualTo("2");
    assertThat(tag.getFirst(FieldKey.COMMENT)).isEqualTo("All about tags & covers.");
    assertThat(tag.getFirstArtwork().getBinaryData()).isEqualTo(png);
    assertThat(tag.hasFrame("PCST")).isTrue();
    assertThat(frameText(bytes, "TGID")).isEqualTo(row.getString("guid"));
    assertThat(frameText(bytes, "WFED")).startsWith("https://feeds.example/");
    assertThat(Path.of(file + ".part")).doesNotExist();
  }

  /** The text of an iTunes text frame (encoding byte 1: UTF-16 with BOM) found in the file's ID3v2.3 tag. */
  static String frameText(byte[] file, String id) {
    var marker = id.getBytes(StandardCharsets.US_ASCII);
    for (var i = 10; i < file.length - 10; i++) {
      if (file[i] == marker[0] && file[i + 1] == marker[1] && file[i + 2] == marker[2] && file[i + 3] == marker[3]) {
        var size = ByteBuffer.wrap(file, i + 4, 4).getInt();
        var body = Arrays.copyOfRange(file, i + 10, i + 10 + size);
        assertThat(body[0]).as(id + " encoding").isEqualTo((byte) 1);
        return new String(body, 1, body.length - 1, StandardCharsets.UTF_16).replace("\u0000", "");
      }
    }
    throw new AssertionError("no " + id + " frame");
  }

  @Test
  @DisplayName("an M4A is tagged with its podcast fields and the podcast's cover; the mdat audio is unchanged; the feed's own duration stays")
  void m4aTagged() throws Exception {
    var original = Audio.m4a();
    var path = unique("tone.m4a");
    var cover = unique("cover.png");
    server.serve(path, Media.file(original).type("audio/mp4"));
    server.serve(cover, Media.file(png).type("image/png"));
    var ids = podcastWithEpisode("Mp4 Matters", server.url(path), "audio/mp4", null);
    fx.rows("update podcasts set image_url = $2 where id = $1", ids[0], server.url(cover));
    fx.rows("update episodes set duration_s = 1800 where id = $1", ids[1]);
    var artwork = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.artwork(ids[0]))));
    assertThat(artwork.getString("status")).as(artwork.encode()).isEqualTo("completed");

    var run = fx.finished(fx.download(ids[1]));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getJsonObject("result").getJsonObject("tags").getString("artwork")).as(run.encode() + artwork.encode() + fx.events(java.util.UUID.fromString(run.getString("id")))).isEqualTo("podcast");
    assertThat(run.getJsonObject("result").getJsonObject("tags").getInteger("duration_s")).isEqualTo(3);
    assertThat(fx.episodeRow(ids[1]).getInteger("duration_s")).as("the feed's duration is kept").isEqualTo(1800);
    var file = library.resolve(fx.episodeRow(ids[1]).getString("file_path"));
    assertThat(file.getFileName().toString()).endsWith(".m4a");
    var bytes = Files.readAllBytes(file);
    assertThat(mdat(bytes)).isEqualTo(mdat(original));
    var tag = (Mp4Tag) AudioFileIO.read(new File(file.toString())).getTag();
    assertThat(tag.getFirst(FieldKey.TITLE)).isEqualTo("Episode one: tags");
    assertThat(tag.getFirst(FieldKey.ALBUM)).isEqualTo("Mp4 Matters");
    assertThat(tag.getFirst(FieldKey.GENRE)).isEqualTo("Podcast");
    assertThat(tag.getFirst("purl")).startsWith("https://feeds.example/");
    assertThat(tag.getFirst("egid")).startsWith("urn:guid:");
    assertThat(tag.getFirst(Mp4FieldKey.DESCRIPTION)).isEqualTo("All about tags & covers.");
    assertThat(tag.getFirst(Mp4FieldKey.TV_EPISODE)).isEqualTo("7");
    assertThat(tag.getFirstArtwork().getBinaryData()).isEqualTo(png);
  }

  @Test
  @DisplayName("a file that is not audio is kept untagged, byte for byte, with a warning; the download completes")
  void notAudioKept() throws Exception {
    var data = MediaServer.bytes(200_000, 42);
    var path = unique("noise.mp3");
    server.serve(path, Media.file(data));
    var ids = podcastWithEpisode("Noise", server.url(path), "audio/mpeg", null);

    var run = fx.finished(fx.download(ids[1]));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getJsonObject("result").getJsonObject("tags").getBoolean("tagged")).isFalse();
    var file = library.resolve(fx.episodeRow(ids[1]).getString("file_path"));
    assertThat(Files.readAllBytes(file)).isEqualTo(data);
    assertThat(fx.events(java.util.UUID.fromString(run.getString("id"))))
        .anyMatch(m -> m.contains("does not look like MP3 audio") && m.contains("kept untagged"));
  }

  @Test
  @DisplayName("the podcast cover is kept as cover.<ext> in its folder, and an unchanged image is not fetched again (304)")
  void coverKeptAndNotRefetched() throws Exception {
    var cover = unique("art.png");
    server.serve(cover, Media.file(png).type("image/png"));
    var podcast = fx.podcast("Cover Story");
    fx.rows("update podcasts set image_url = $2 where id = $1", podcast, server.url(cover));

    var first = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.artwork(podcast))));
    assertThat(first.getString("status")).as(first.encode()).isEqualTo("completed");
    assertThat(first.getJsonObject("result").getString("cover_path")).isEqualTo("Cover Story/cover.png");
    assertThat(Files.readAllBytes(library.resolve("Cover Story/cover.png"))).isEqualTo(png);

    var second = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.artwork(podcast))));
    assertThat(second.getJsonObject("result").getBoolean("not_modified")).as(second.encode()).isTrue();
    assertThat(server.requests(cover)).hasSize(2);
    assertThat(fx.rows("select cover_path from podcasts where id = $1", podcast).get(0).getString(0))
        .isEqualTo("Cover Story/cover.png");
  }

  @Test
  @DisplayName("a broken image (HTML, too large, missing) is a warning on the run, and the cover the podcast had stays")
  void brokenImagesWarn() throws Exception {
    var good = unique("good.png");
    server.serve(good, Media.file(png).type("image/png"));
    var podcast = fx.podcast("Broken Art");
    fx.rows("update podcasts set image_url = $2 where id = $1", podcast, server.url(good));
    fx.finished(Waits.await(fx.queue.enqueue(RunTypes.artwork(podcast))));

    var html = unique("page.html");
    server.serve(html, Media.file("<html>not an image</html>".getBytes(StandardCharsets.UTF_8)).type("text/html"));
    var huge = unique("huge.png");
    server.serve(huge, Media.file(new byte[(int) Images.MAX_COVER_BYTES + 1]).type("image/png"));
    for (var url : new String[] {server.url(html), server.url(huge), server.url(unique("missing.png"))}) {
      fx.rows("update podcasts set image_url = $2 where id = $1", podcast, url);
      var run = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.artwork(podcast))));
      assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
      assertThat(run.getJsonObject("result").getString("warning")).as(url).isNotBlank();
      assertThat(fx.events(UUID.fromString(run.getString("id"))))
          .anyMatch(m -> m.contains("could not be fetched") && m.contains("keeping Broken Art/cover.png"));
    }
    assertThat(Files.readAllBytes(library.resolve("Broken Art/cover.png"))).isEqualTo(png);
  }

  @Test
  @DisplayName("an image URL at a private or metadata address is refused by the network policy, with a warning")
  void hostileImageRefused() throws Exception {
    try (var strict = new DownloadsFixture("library_files_strict", Files.createDirectories(temp.resolve("strict")),
        DownloadsFixture.LIMITS, DownloadsFixture.WORKER, false)) {
      for (var url : new String[] {"http://169.254.169.254/latest/meta-data/icon.png", "http://10.1.2.3/cover.jpg",
          server.url("/cover.png")}) {
        var podcast = strict.podcast("Hostile " + UUID.randomUUID());
        strict.rows("update podcasts set image_url = $2 where id = $1", podcast, url);
        var run = strict.finished(Waits.await(strict.queue.enqueue(RunTypes.artwork(podcast))));
        assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
        assertThat(run.getJsonObject("result").getString("code")).as(url).isIn("private_network", "metadata_address");
        assertThat(strict.rows("select cover_path from podcasts where id = $1", podcast).get(0).getString(0)).isNull();
      }
    }
    assertThat(server.requests("/cover.png")).isEmpty();
  }

  @Test
  @DisplayName("with TAG_FILES=false a file is kept byte for byte, and the length the feed left out is still the file's")
  void untaggedWhenOff() throws Exception {
    try (var off = new DownloadsFixture("library_files_untagged", Files.createDirectories(temp.resolve("untagged")),
        DownloadsFixture.LIMITS, DownloadsFixture.WORKER,
        Map.of("ALLOW_PRIVATE_NETWORKS", "true", "TAG_FILES", "false"))) {
      var original = Audio.mp3();
      var path = unique("plain.mp3");
      server.serve(path, Media.file(original));
      var ids = podcastWithEpisode(off, "Left As Is", server.url(path), "audio/mpeg", null);

      var run = off.finished(off.download(ids[1]));

      assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
      assertThat(run.getJsonObject("result").getJsonObject("tags").getBoolean("tagged")).isFalse();
      var row = off.episodeRow(ids[1]);
      assertThat(Files.readAllBytes(temp.resolve("untagged").resolve(row.getString("file_path")))).isEqualTo(original);
      assertThat(row.getInteger("duration_s")).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("TAG_FILES is on by default and the tagger names the formats it writes")
  void formats() {
    assertThat(io.castbus.common.config.Settings.load(Map.of(), io.castbus.common.config.Settings.AuthMode.REQUIRED)
        .tagFiles()).isTrue();
    for (var ext : new String[] {"mp3", "m4a", "m4b", "ogg", "opus", "flac"}) {
      assertThat(Tagger.supports(ext)).as(ext).isTrue();
    }
    assertThat(Tagger.supports("wav")).isFalse();
    assertThat(Tagger.description("<p>a&nbsp;<i>b</i></p>\n\n c")).isEqualTo("a b c");
    assertThat(Tagger.frameSync(Audio.mp3())).as("a real MP3").isTrue();
    assertThat(Tagger.frameSync(MediaServer.bytes(8192, 7))).as("noise").isFalse();
    assertThat(Tagger.frameSync("<html><body>404</body></html>".getBytes(StandardCharsets.UTF_8))).isFalse();
  }
}
