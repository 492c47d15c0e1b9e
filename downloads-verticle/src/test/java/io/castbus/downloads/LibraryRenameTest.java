package io.castbus.downloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.RunTypes;
import io.castbus.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rename_library on real files: templates applied, collisions made unique, a crash half-way finished. */
@DisplayName("rename_library: files and database paths move together; a crash half-way loses nothing")
class LibraryRenameTest {

  @TempDir
  static Path temp;
  static Path library;
  static DownloadsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    fx = new DownloadsFixture("library_rename", library, DownloadsFixture.LIMITS);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** A downloaded episode: its row and its file (content = its title). */
  private static long downloaded(long podcast, String title, String path) throws Exception {
    var file = library.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "audio of " + title);
    return fx.rows("""
        insert into episodes (podcast_id, guid, title, published_at, enclosure_url, download_status, file_path, bytes)
        values ($1, $2, $3, '2026-11-01T08:00:00Z', 'https://cdn.example/x.mp3', 'completed', $4, 10) returning id""",
        podcast, UUID.randomUUID().toString(), title, path).get(0).getLong(0);
  }

  private static String pathOf(long episode) {
    return fx.episodeRow(episode).getString("file_path");
  }

  @Test
  @DisplayName("a new file template renames every file; a name taken on disk gets (2); renames a crash left half-done are finished")
  void renamesAndRecovers() throws Exception {
    var podcast = fx.podcast("Show");
    fx.rows("update podcasts set folder = 'Show', file_template = '{title} ({year})' where id = $1", podcast);
    var movedBeforeCrash = downloaded(podcast, "Alpha", "Show/2026-11-01 - Alpha.mp3");
    var plannedBeforeCrash = downloaded(podcast, "Beta", "Show/2026-11-01 - Beta.mp3");
    var untouched = downloaded(podcast, "Gamma", "Show/2026-11-01 - Gamma.mp3");
    var foreign = library.resolve("Show/Gamma (2026).mp3");
    Files.writeString(foreign, "a file the library does not know");
    // A crash after the first file moved (its path not yet stored), and one after the second was planned.
    fx.rows("update episodes set rename_to = 'Show/Alpha (2026).mp3' where id = $1", movedBeforeCrash);
    Files.move(library.resolve("Show/2026-11-01 - Alpha.mp3"), library.resolve("Show/Alpha (2026).mp3"));
    fx.rows("update episodes set rename_to = 'Show/Beta (2026).mp3' where id = $1", plannedBeforeCrash);

    var run = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.rename(podcast))));

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getJsonObject("result").getInteger("renames_finished")).isEqualTo(2);
    assertThat(run.getJsonObject("result").getInteger("files_renamed")).isEqualTo(1);
    assertThat(pathOf(movedBeforeCrash)).isEqualTo("Show/Alpha (2026).mp3");
    assertThat(pathOf(plannedBeforeCrash)).isEqualTo("Show/Beta (2026).mp3");
    assertThat(pathOf(untouched)).isEqualTo("Show/Gamma (2026) (2).mp3");
    for (var id : new long[] {movedBeforeCrash, plannedBeforeCrash, untouched}) {
      assertThat(fx.episodeRow(id).getString("rename_to")).isNull();
      var title = fx.episodeRow(id).getString("title");
      assertThat(Files.readString(library.resolve(pathOf(id)), StandardCharsets.UTF_8)).isEqualTo("audio of " + title);
    }
    assertThat(Files.readString(foreign)).isEqualTo("a file the library does not know");
    try (var files = Files.list(library.resolve("Show"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("Alpha (2026).mp3",
          "Beta (2026).mp3", "Gamma (2026).mp3", "Gamma (2026) (2).mp3");
    }

    var again = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.rename(podcast))));
    assertThat(again.getJsonObject("result").getInteger("files_renamed")).as("nothing left to move").isZero();
  }

  @Test
  @DisplayName("a new folder template moves the folder, its files and its cover; the old folder goes when empty")
  void folderMoves() throws Exception {
    var podcast = fx.podcast("Radio Days");
    fx.rows("""
        update podcasts set folder = 'Radio Days', author = 'Ana', folder_template = '{author} - {podcast}',
                            cover_path = 'Radio Days/cover.jpg' where id = $1""", podcast);
    var episode = downloaded(podcast, "One", "Radio Days/2026-11-01 - One.mp3");
    Files.writeString(library.resolve("Radio Days/cover.jpg"), "jpeg");

    var run = fx.finished(Waits.await(fx.queue.enqueue(RunTypes.rename(podcast))));

    assertThat(run.getJsonObject("result").getInteger("folders_moved")).as(run.encode()).isEqualTo(1);
    assertThat(pathOf(episode)).isEqualTo("Ana - Radio Days/2026-11-01 - One.mp3");
    assertThat(library.resolve(pathOf(episode))).exists();
    assertThat(fx.rows("select folder, cover_path from podcasts where id = $1", podcast).get(0).toJson().encode())
        .contains("\"folder\":\"Ana - Radio Days\"").contains("\"cover_path\":\"Ana - Radio Days/cover.jpg\"");
    assertThat(library.resolve("Ana - Radio Days/cover.jpg")).hasContent("jpeg");
    assertThat(library.resolve("Radio Days")).doesNotExist();
  }
}
