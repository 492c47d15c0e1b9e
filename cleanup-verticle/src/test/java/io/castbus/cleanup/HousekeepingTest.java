package io.castbus.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.db.Migrations;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("scan_library, expire_runs and backup_database")
class HousekeepingTest {

  @TempDir
  Path temp;
  Path library;
  CleanupFixture fx;

  @BeforeEach
  void start() throws Exception {
    library = Files.createDirectories(temp.resolve("downloads"));
    fx = new CleanupFixture("housekeeping", library, temp.resolve("data"), Map.of());
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("scan_library: missing files failed or queued again, orphans reported, stale partial files removed")
  void scanLibrary() throws Exception {
    var a = fx.podcast("Alpha", 1);
    var present = fx.episode(a, "present", 9, "Alpha/present.mp3", true);
    var newestMissing = fx.episode(a, "newest", 1, "Alpha/newest.mp3", false);
    var oldMissing = fx.episode(a, "old", 20, "Alpha/old.mp3", false);
    Files.writeString(library.resolve("Alpha/stray.mp3"), "nobody owns this");
    fx.podcast("Beta", 1);
    Files.createDirectories(library.resolve("Beta"));
    var stale = Files.writeString(library.resolve("Beta/half.mp3.part"), "partial");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    var fresh = Files.writeString(library.resolve("Beta/fresh.mp3.part"), "partial");
    // Alpha gets a download queued again below: its partial files are in use, however old.
    var inUse = Files.writeString(library.resolve("Alpha/newest.mp3.part"), "partial");
    Files.setLastModifiedTime(inUse, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

    var result = fx.run(CleanupVerticle.SCAN_LIBRARY, new JsonObject()).getJsonObject("result");
    assertThat(result.getInteger("missing_requeued")).isEqualTo(1);
    assertThat(result.getInteger("missing_failed")).isEqualTo(1);
    assertThat(result.getInteger("orphans")).isEqualTo(1);
    assertThat(result.getJsonArray("orphan_files").getString(0)).isEqualTo("Alpha/stray.mp3");
    assertThat(result.getInteger("stale_parts_removed")).isEqualTo(1);

    assertThat(fx.status(present)).isEqualTo("completed");
    assertThat(fx.status(newestMissing)).isEqualTo("pending");
    assertThat(fx.status(oldMissing)).isEqualTo("failed");
    assertThat(fx.rows("select download_error from episodes where id = $1", oldMissing).get(0).getString(0))
        .contains("missing from the library", "Alpha/old.mp3");
    assertThat(fx.rows("select count(*) from runs where type = 'download_episode' and dedupe_key = $1",
        "episode:" + newestMissing).get(0).getLong(0)).isEqualTo(1L);
    assertThat(library.resolve("Alpha/stray.mp3")).as("orphans stay unless asked").exists();
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
    assertThat(inUse).exists();

    var deleting = fx.run(CleanupVerticle.SCAN_LIBRARY, new JsonObject().put("delete_orphans", true))
        .getJsonObject("result");
    assertThat(deleting.getInteger("orphans_deleted")).isEqualTo(1);
    assertThat(library.resolve("Alpha/stray.mp3")).doesNotExist();
    assertThat(library.resolve("Alpha/present.mp3")).exists();
  }

  @Test
  @DisplayName("expire_runs keeps the newest 100 completed and 200 failed runs per type and removes old ones")
  void expireRuns() {
    fx.rows("""
        insert into runs (id, type, status, created_at, started_at, finished_at)
        select gen_random_uuid(), t, s, now(), now() - make_interval(secs => g), now() - make_interval(secs => g)
          from generate_series(1, 150) g, (values ('a'), ('b')) types(t), (values ('completed'), ('failed')) st(s)
        """);
    fx.rows("""
        insert into runs (id, type, status, created_at, started_at, finished_at)
        values (gen_random_uuid(), 'c', 'completed', now() - interval '40 days', now() - interval '40 days',
                now() - interval '40 days'),
               (gen_random_uuid(), 'c', 'queued', now() - interval '40 days', null, null)
        """);
    var result = fx.run(CleanupVerticle.EXPIRE_RUNS, new JsonObject()).getJsonObject("result");
    var counts = fx.rows("""
        select type, status, count(*) from runs where type in ('a', 'b', 'c') group by type, status order by 1, 2
        """).stream().map(r -> r.getString(0) + "/" + r.getString(1) + "=" + r.getLong(2)).toList();
    assertThat(counts).containsExactly("a/completed=100", "a/failed=150", "b/completed=100", "b/failed=150",
        "c/queued=1");
    assertThat(result.getInteger("deleted_beyond_kept")).isEqualTo(100);
    assertThat(result.getInteger("deleted_older")).isEqualTo(1);
  }

  @Test
  @DisplayName("backup_database writes a zip under DATA_DIR/backups (0600 in a 0700 folder, without the key pepper "
      + "or sessions, the pepper kept 0600 in DATA_DIR/key-pepper), keeps 7, and restores into a fresh database")
  void backupAndRestore() throws Exception {
    var a = fx.podcast("Alpha", 3);
    fx.episode(a, "a1", 1, "Alpha/a1.mp3", true);
    fx.rows("update episodes set title = $1 where guid = 'a1'", "Quotes \"and\", commas\nand lines");
    fx.rows("insert into users (name, role) values ('alice', 'user')");
    var pepperHex = "5eed".repeat(16);
    fx.rows("insert into auth_secrets (name, value) values ('key_pepper', decode('" + pepperHex + "', 'hex'))");
    var backups = Files.createDirectories(fx.data.resolve("backups"));
    for (var day = 1; day <= 8; day++) {
      Files.writeString(backups.resolve("castbus-2026010" + day + "T000000Z.zip"), "old");
    }

    var run = fx.run(CleanupVerticle.BACKUP_DATABASE, new JsonObject());
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    var file = Path.of(run.getJsonObject("result").getString("file"));
    assertThat(file).exists().hasParent(backups);
    try (var list = Files.list(backups)) {
      assertThat(list.filter(f -> f.toString().endsWith(".zip")).count()).isEqualTo(7);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backups))).isEqualTo("rwx------");
    try (var zip = new java.util.zip.ZipFile(file.toFile())) {
      assertThat(zip.stream().map(java.util.zip.ZipEntry::getName)).contains("users.csv")
          .doesNotContain("auth_secrets.csv", "sessions.csv");
    }
    assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(pepperHex);
    var pepperFile = fx.data.resolve("key-pepper");
    assertThat(Files.readString(pepperFile).strip()).isEqualTo(pepperHex);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pepperFile))).isEqualTo("rw-------");

    try (var fresh = TestDatabase.create("restore")) {
      var target = io.castbus.common.db.Database.of(fresh.url());
      Migrations.migrate(target);
      var restored = new Backup(target).restore(file, Backup.readPepper(pepperFile));
      assertThat(restored.getJsonArray("tables").stream().map(t -> ((JsonObject) t).getString("name")))
          .contains("podcasts", "episodes", "runs", "run_events", "jobs", "users");
      try (var conn = java.sql.DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
          var st = conn.createStatement()) {
        var rs = st.executeQuery("select title, (select count(*) from runs), (select count(*) from jobs), "
            + "(select name from users where name = 'alice') from episodes where guid = 'a1'");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("Quotes \"and\", commas\nand lines");
        assertThat(rs.getLong(2)).as("the backup's own run, running when the snapshot was taken").isEqualTo(1L);
        assertThat(rs.getLong(3)).isEqualTo(fx.rows("select count(*) from jobs").get(0).getLong(0));
        assertThat(rs.getString(4)).isEqualTo("alice");
        var next = st.executeQuery("insert into podcasts (rss_url) values ('http://x.example/feed') returning id");
        next.next();
        assertThat(next.getLong(1)).as("sequences continue after the restored ids").isGreaterThan(a);
        var pepper = st.executeQuery("select encode(value, 'hex') from auth_secrets where name = 'key_pepper'");
        assertThat(pepper.next()).isTrue();
        assertThat(pepper.getString(1)).as("the pepper comes back from DATA_DIR/key-pepper").isEqualTo(pepperHex);
      }
    }
  }
}
