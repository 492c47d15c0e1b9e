package io.castbus.cleanup;

import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.common.launch.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cleanup module as its own clustered process; {@code restore <backup.zip>} instead loads a backup into the
 * database named by {@code DATABASE_URL} (migrating it first) and exits.
 */
public final class CleanupMain {

  private CleanupMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("restore")) {
      System.exit(restore(args));
    }
    Launcher.runClustered("cleanup", false, CleanupModule::verticles);
  }

  private static int restore(String[] args) throws Exception {
    var url = System.getenv("DATABASE_URL");
    if (args.length != 2 || url == null || url.isBlank()) {
      System.err.println("usage: DATABASE_URL=postgresql://user:pass@host:5432/db java -jar castbus-cleanup.jar "
          + "restore <DATA_DIR/backups/castbus-….zip>");
      return 2;
    }
    var file = Path.of(args[1]);
    if (!Files.isRegularFile(file)) {
      System.err.println("castbus restore: no backup file at " + file.toAbsolutePath());
      return 2;
    }
    var database = Database.of(url);
    Migrations.migrate(database);
    // The pepper API keys are hashed under is kept beside the backups folder (DATA_DIR/key-pepper), not in the zip.
    var pepperFile = file.toAbsolutePath().getParent().resolveSibling(Backup.PEPPER_FILE);
    var pepper = Backup.readPepper(pepperFile);
    if (pepper == null) {
      System.err.println("castbus restore: no " + pepperFile + ": the database keeps its own key pepper, so API keys "
          + "issued before the backup work only if this is the database they were issued on");
    }
    var result = new Backup(database).restore(file, pepper);
    System.out.println(result.encodePrettily());
    return 0;
  }
}
