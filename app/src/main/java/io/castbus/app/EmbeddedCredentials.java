package io.castbus.app;

import io.castbus.common.files.PrivateFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server's superuser password, kept in a file only the app's user can read, and the pg_hba.conf that
 * asks every connection for it.
 */
record EmbeddedCredentials(Path file, String password) {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCredentials.class);
  /** pg_hba.conf methods that let a connection in without a password. */
  private static final Set<String> PASSWORDLESS = Set.of("trust", "peer", "ident");
  private static final String HBA = """
      # Written by Castbus: every connection to the embedded PostgreSQL needs the password kept in
      # DATA_DIR/pg-password (scram-sha-256). Castbus rewrites this file if it finds trust here.
      local   all           all                 scram-sha-256
      host    all           all   127.0.0.1/32  scram-sha-256
      host    all           all   ::1/128       scram-sha-256
      local   replication   all                 scram-sha-256
      host    replication   all   127.0.0.1/32  scram-sha-256
      host    replication   all   ::1/128       scram-sha-256
      """;

  /** The password kept in {@code file}, or a new one written there with mode 0600 when there is none yet. */
  static EmbeddedCredentials loadOrCreate(Path file, Path pgDir) throws IOException {
    if (Files.exists(file)) {
      PrivateFiles.restrict(file);
      var password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) {
        throw new IOException(file + " is empty: it must hold the embedded PostgreSQL's password");
      }
      return new EmbeddedCredentials(file, password);
    }
    if (Files.exists(pgDir.resolve("pg_hba.conf")) && !trusts(pgDir)) {
      throw new IOException(file + " is missing, and the embedded PostgreSQL in " + pgDir + " asks for a password: "
          + "put its password back in that file (see docs/operations.md, \"The embedded database\")");
    }
    var bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    var password = HexFormat.of().formatHex(bytes);
    PrivateFiles.write(file, password + "\n");
    return new EmbeddedCredentials(file, password);
  }

  /**
   * Closes a data directory made by an earlier version (trust authentication for every local connection): the
   * superuser gets the password, then pg_hba.conf asks for it. Run with the server up; a crash half-way leaves a
   * state this repeats.
   */
  void lockDown(EmbeddedPostgres postgres, Path pgDir) throws SQLException, IOException {
    if (!trusts(pgDir)) {
      return;
    }
    try (var connection = postgres.getPostgresDatabase().getConnection()) {
      // The driver sends a scram-sha-256 verifier, never the password itself.
      connection.unwrap(PGConnection.class).alterUserPassword("postgres", password.toCharArray(), "scram-sha-256");
      PrivateFiles.write(pgDir.resolve("pg_hba.conf"), HBA);
      try (var statement = connection.createStatement()) {
        statement.execute("select pg_reload_conf()");
      }
    }
    LOG.info("The embedded PostgreSQL in {} now asks every connection for the password in {}", pgDir, file);
  }

  /** Whether any rule of pg_hba.conf lets a connection in without a password. */
  static boolean trusts(Path pgDir) throws IOException {
    List<String> lines = Files.readAllLines(pgDir.resolve("pg_hba.conf"));
    return lines.stream()
        .map(line -> line.replaceFirst("#.*", "").strip())
        .filter(line -> !line.isEmpty())
        .map(line -> line.split("\\s+"))
        .anyMatch(fields -> Arrays.stream(fields).anyMatch(PASSWORDLESS::contains));
  }
}
