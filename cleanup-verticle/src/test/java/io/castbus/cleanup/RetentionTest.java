package io.castbus.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("cleanup_episodes: per-podcast retention on real files")
class RetentionTest {

  @TempDir
  Path temp;
  Path library;
  CleanupFixture fx;

  @BeforeEach
  void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    fx = new CleanupFixture("retention", library, temp.resolve("data"), Map.of());
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("keeps the newest N downloaded per podcast, honours keep, frees bytes, removes empty folders")
  void retention() throws Exception {
    var a = fx.podcast("Alpha", 2);
    var a1 = fx.episode(a, "a1", 1, "Alpha/a1.mp3", true);
    var a2 = fx.episode(a, "a2", 2, "Alpha/a2.mp3", true);
    var a3 = fx.episode(a, "a3", 3, "Alpha/a3.mp3", true);
    var a4 = fx.episode(a, "a4", 4, library.resolve("Alpha/a4.mp3").toString(), true);
    var kept = fx.episode(a, "a5", 5, "Alpha/a5.mp3", true);
    fx.rows("update episodes set keep = true where id = $1", kept);
    var b = fx.podcast("Beta", 1);
    var b1 = fx.episode(b, "b1", 1, "Beta/b1.mp3", true);
    var b2 = fx.episode(b, "b2", 9, "Beta/2019/b2.mp3", true);
    var size = Files.size(library.resolve("Alpha/a3.mp3"));

    var run = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject());
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    var result = run.getJsonObject("result");
    assertThat(result.getInteger("files_deleted")).isEqualTo(3);
    assertThat(result.getLong("bytes_freed")).isEqualTo(3 * size);
    assertThat(result.getInteger("folders_removed")).isEqualTo(1);
    assertThat(result.getJsonArray("podcasts").stream().map(p -> ((JsonObject) p).getInteger("files_deleted")))
        .containsExactly(2, 1);

    assertThat(library.resolve("Alpha/a1.mp3")).exists();
    assertThat(library.resolve("Alpha/a2.mp3")).exists();
    assertThat(library.resolve("Alpha/a3.mp3")).doesNotExist();
    assertThat(library.resolve("Alpha/a4.mp3")).doesNotExist();
    assertThat(library.resolve("Alpha/a5.mp3")).as("kept").exists();
    assertThat(library.resolve("Beta/b1.mp3")).exists();
    assertThat(library.resolve("Beta/2019")).as("emptied folder").doesNotExist();
    assertThat(fx.status(a1)).isEqualTo("completed");
    assertThat(fx.status(a2)).isEqualTo("completed");
    assertThat(fx.status(a3)).isEqualTo("deleted");
    assertThat(fx.status(a4)).isEqualTo("deleted");
    assertThat(fx.status(kept)).isEqualTo("completed");
    assertThat(fx.status(b1)).isEqualTo("completed");
    assertThat(fx.status(b2)).isEqualTo("deleted");
    assertThat(fx.rows("select count(*) from run_events e join runs r on r.id = e.run_id where r.type = $1 "
        + "and e.message like 'deleted 2 file(s) of ''Alpha''%'", CleanupVerticle.CLEANUP_EPISODES).get(0).getLong(0))
        .isEqualTo(1L);

    // Lowering max_episodes_to_keep then cleaning up again leaves exactly that many (plus the kept one).
    fx.rows("update subscriptions set max_episodes_to_keep = 1 where podcast_id = $1", a);
    assertThat(fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject()).getJsonObject("result")
        .getInteger("files_deleted")).isEqualTo(1);
    assertThat(fx.rows("select count(*) from episodes where podcast_id = $1 and download_status = 'completed'", a)
        .get(0).getLong(0)).isEqualTo(2L);
    assertThat(library.resolve("Alpha/a1.mp3")).exists();
    assertThat(library.resolve("Alpha/a2.mp3")).doesNotExist();
  }

  @Test
  @DisplayName("a dry run lists what would go and deletes nothing")
  void dryRun() throws Exception {
    var a = fx.podcast("Alpha", 1);
    fx.episode(a, "a1", 1, "Alpha/a1.mp3", true);
    var a2 = fx.episode(a, "a2", 2, "Alpha/a2.mp3", true);

    var result = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject().put("dry_run", true))
        .getJsonObject("result");
    assertThat(result.getBoolean("dry_run")).isTrue();
    assertThat(result.getInteger("files_to_delete")).isEqualTo(1);
    var listed = result.getJsonArray("podcasts").getJsonObject(0).getJsonArray("episodes").getJsonObject(0);
    assertThat(listed.getLong("id")).isEqualTo(a2);
    assertThat(library.resolve("Alpha/a2.mp3")).exists();
    assertThat(fx.status(a2)).isEqualTo("completed");
  }

  @Test
  @DisplayName("nothing outside DOWNLOAD_DIR is deleted: '..', absolute paths, links out; a file already gone is marked")
  void safety() throws Exception {
    var outside = Files.writeString(temp.resolve("precious.txt"), "do not delete");
    Files.createDirectories(library.resolve("Alpha"));
    Files.createSymbolicLink(library.resolve("Alpha/link.mp3"), outside);
    Files.createSymbolicLink(library.resolve("Escape"), temp);
    var a = fx.podcast("Alpha", 1);
    fx.episode(a, "newest", 0, "Alpha/newest.mp3", true);
    var dotdot = fx.episode(a, "dotdot", 1, "Alpha/../../precious.txt", false);
    var absolute = fx.episode(a, "absolute", 2, outside.toString(), false);
    var link = fx.episode(a, "link", 3, "Alpha/link.mp3", false);
    var throughLink = fx.episode(a, "through", 4, "Escape/precious.txt", false);
    var gone = fx.episode(a, "gone", 5, "Alpha/gone.mp3", false);

    var result = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject()).getJsonObject("result");
    assertThat(outside).exists().hasContent("do not delete");
    assertThat(library.resolve("Alpha/link.mp3")).isSymbolicLink();
    assertThat(result.getJsonArray("refused")).hasSize(4);
    assertThat(fx.status(dotdot)).isEqualTo("completed");
    assertThat(fx.status(absolute)).isEqualTo("completed");
    assertThat(fx.status(link)).isEqualTo("completed");
    assertThat(fx.status(throughLink)).isEqualTo("completed");
    assertThat(fx.status(gone)).as("missing file: finishing an interrupted cleanup").isEqualTo("deleted");
  }

  @Test
  @DisplayName("a DOWNLOAD_DIR that is a symbolic link is followed once: its target is the library")
  void symlinkedLibrary() throws Exception {
    var real = Files.createDirectories(temp.resolve("nas"));
    var linked = Files.createSymbolicLink(temp.resolve("linked-downloads"), real);
    try (var other = new CleanupFixture("retention_link", linked, temp.resolve("data2"), Map.of())) {
      Files.createDirectories(real.resolve("Gamma"));
      var g = other.podcast("Gamma", 1);
      Files.writeString(real.resolve("Gamma/new.mp3"), "new");
      Files.writeString(real.resolve("Gamma/old.mp3"), "old");
      other.rows("""
          insert into episodes (podcast_id, guid, published_at, download_status, file_path)
          values ($1, 'new', now(), 'completed', 'Gamma/new.mp3'),
                 ($1, 'old', now() - interval '1 day', 'completed', $2)""", g,
          linked.resolve("Gamma/old.mp3").toString());
      var result = other.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject()).getJsonObject("result");
      assertThat(result.getInteger("files_deleted")).isEqualTo(1);
      assertThat(real.resolve("Gamma/old.mp3")).doesNotExist();
      assertThat(real.resolve("Gamma/new.mp3")).exists();
    }
  }

  @Test
  @DisplayName("retention per subscription: newest n, last d days or all; a file one subscriber keeps stays when another drops it")
  void retentionModes() throws Exception {
    var shared = fx.podcast("Shared", 1);
    var users = fx.rows("insert into users (name, role) values ('r_days', 'user'), ('r_all', 'user') returning id");
    var files = new java.util.ArrayList<String>();
    for (var age : new int[] {1, 5, 20, 40}) {
      var path = "Shared/e" + age + ".mp3";
      fx.episode(shared, "e" + age, age, path, true);
      files.add(path);
    }
    // The feed's first subscription keeps the newest 1; a second subscriber keeps 30 days.
    fx.rows("""
        insert into subscriptions (podcast_id, owner, owner_id, retention_mode, retention_days)
        values ($1, 'r_days', $2, 'days', 30)""", shared, users.get(0).getLong(0));

    var run = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject());
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(library.resolve("Shared/e1.mp3")).exists();
    assertThat(library.resolve("Shared/e5.mp3")).as("30 days, the second subscriber's").exists();
    assertThat(library.resolve("Shared/e20.mp3")).exists();
    assertThat(library.resolve("Shared/e40.mp3")).as("older than every subscription keeps").doesNotExist();

    // A third subscriber who keeps everything: nothing more goes, even when the others keep less.
    fx.rows("""
        insert into subscriptions (podcast_id, owner, owner_id, retention_mode) values ($1, 'r_all', $2, 'all')""",
        shared, users.get(1).getLong(0));
    fx.rows("update subscriptions set retention_days = 2 where podcast_id = $1 and retention_mode = 'days'", shared);
    var kept = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject());
    assertThat(kept.getJsonObject("result").getInteger("files_deleted")).isZero();

    // Without it, the 2-day subscriber and the newest-1 subscriber together keep e1 only.
    fx.rows("delete from subscriptions where podcast_id = $1 and retention_mode = 'all'", shared);
    var trimmed = fx.run(CleanupVerticle.CLEANUP_EPISODES, new JsonObject());
    assertThat(trimmed.getJsonObject("result").getInteger("files_deleted")).isEqualTo(2);
    assertThat(library.resolve("Shared/e1.mp3")).exists();
    assertThat(library.resolve("Shared/e5.mp3")).doesNotExist();
    assertThat(library.resolve("Shared/e20.mp3")).doesNotExist();
  }
}
