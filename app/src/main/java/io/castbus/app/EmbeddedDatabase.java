package io.castbus.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The all-in-one's PostgreSQL when DATABASE_URL is unset: a real server whose data lives in DATA_DIR/pg. */
final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start(Path dataDir) throws IOException {
    var dir = dataDir.resolve("pg");
    Files.createDirectories(dir);
    var fresh = !Files.exists(dir.resolve("PG_VERSION"));
    var postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dir.toFile())
        .setCleanDataDirectory(false)
        .start();
    LOG.info("{} embedded PostgreSQL in {} on port {}", fresh ? "Created" : "Started", dir, postgres.getPort());
    return new EmbeddedDatabase(postgres);
  }

  String url() {
    return "postgresql://postgres@localhost:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
