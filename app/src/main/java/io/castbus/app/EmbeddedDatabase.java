package io.castbus.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one's PostgreSQL when DATABASE_URL is unset: a real server whose data lives in DATA_DIR/pg, durable
 * (fsync, synchronous commit and full-page writes on, whatever the library's own flags), closed to other local
 * users (scram-sha-256 with the password in DATA_DIR/pg-password), and started again after a crash that left an
 * earlier life's server running.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres postgres;
  private final String password;
  private final FileLock lock;

  private EmbeddedDatabase(EmbeddedPostgres postgres, String password, FileLock lock) {
    this.postgres = postgres;
    this.password = password;
    this.lock = lock;
  }

  static EmbeddedDatabase start(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    var lock = lockDataDir(dataDir);
    try {
      var dir = dataDir.resolve("pg");
      Files.createDirectories(dir);
      LeftoverPostmaster.stopIfRunning(dir);
      var credentials = EmbeddedCredentials.loadOrCreate(dataDir.resolve("pg-password"), dir);
      var fresh = !Files.exists(dir.resolve("postgresql.conf"));
      var postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir.toFile())
          .setCleanDataDirectory(false)
          // Later -c options win over the library's -F and its synchronous_commit=off.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setServerConfig("listen_addresses", "localhost")
          .setServerConfig("password_encryption", "scram-sha-256")
          // initdb options: the last --auth wins over the library's "-A trust"; the superuser gets the password.
          .setLocaleConfig("auth", "scram-sha-256")
          .setLocaleConfig("pwfile", credentials.file().toString())
          .setConnectConfig("password", credentials.password())
          .setPGStartupWait(STARTUP_WAIT)
          .start();
      try {
        if (!fresh) {
          credentials.lockDown(postgres, dir);
        }
      } catch (SQLException | IOException e) {
        postgres.close();
        throw new IOException("the embedded PostgreSQL in " + dir + " could not be closed to password-less "
            + "connections: " + e.getMessage(), e);
      }
      LOG.info("{} embedded PostgreSQL in {} on port {}", fresh ? "Created" : "Started", dir, postgres.getPort());
      return new EmbeddedDatabase(postgres, credentials.password(), lock);
    } catch (IOException | RuntimeException e) {
      lock.channel().close();
      throw e;
    }
  }

  /** One Castbus per data directory: a second one would stop the first one's server as a leftover. */
  private static FileLock lockDataDir(Path dataDir) throws IOException {
    var channel = FileChannel.open(dataDir.resolve("castbus.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    var lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      throw new IOException("another Castbus is running with DATA_DIR " + dataDir.toAbsolutePath()
          + ": stop it first, or give this one a DATA_DIR of its own");
    }
    return lock;
  }

  String url() {
    return "postgresql://postgres:" + password + "@localhost:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    try {
      postgres.close();
    } finally {
      lock.channel().close();
    }
  }
}
