package io.castbus.cleanup;

import io.castbus.common.db.Database;
import io.castbus.common.files.PrivateFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.postgresql.PGConnection;

/**
 * Logical backups of Castbus's tables: one zip per backup, {@code castbus-<UTC time>.zip}, holding
 * {@code manifest.json} (schema version, tables in restore order, columns, row counts) and one CSV per table
 * written by {@code COPY … TO STDOUT} inside one repeatable-read transaction, so the backup is a consistent
 * snapshot. {@link #restore} loads one into a database migrated to the same or a newer schema, in one transaction.
 * Backups are mode 0600 in a 0700 folder. They hold no key material that would let a copy of one test guesses of API
 * keys: the pepper API keys are hashed under ({@code auth_secrets}) is written beside the folder instead, to
 * {@code DATA_DIR/key-pepper} (0600), and dashboard sessions ({@code sessions}: their hashes and CSRF tokens) are
 * not kept at all; a restore logs everyone out. Blocking (JDBC and files): run it off the event loop.
 */
final class Backup {

  static final String PREFIX = "castbus-";
  /** The pepper, beside the backups folder: {@code DATA_DIR/key-pepper}. */
  static final String PEPPER_FILE = "key-pepper";
  /** Tables no backup holds: the pepper (kept in {@link #PEPPER_FILE}) and the sessions. */
  static final Set<String> NOT_BACKED_UP = Set.of("auth_secrets", "sessions");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final Database database;

  Backup(Database database) {
    this.database = database;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  /** Writes a backup into {@code dir}, keeps the newest {@code keep}, and describes what it wrote. */
  JsonObject write(Path dir, int keep) throws IOException, SQLException {
    PrivateFiles.directory(dir);
    var name = PREFIX + STAMP.format(Instant.now()) + ".zip";
    var target = dir.resolve(name);
    var partial = dir.resolve(name + ".part");
    var manifest = new JsonObject();
    try (var conn = connect()) {
      conn.setAutoCommit(false);
      conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      conn.setReadOnly(true);
      keepPepper(conn, dir.resolveSibling(PEPPER_FILE));
      var copy = conn.unwrap(PGConnection.class).getCopyAPI();
      var tables = new JsonArray();
      Files.deleteIfExists(partial);
      PrivateFiles.create(partial);
      try (var zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
        for (var table : restoreOrder(conn)) {
          if (NOT_BACKED_UP.contains(table)) {
            continue;
          }
          var columns = columns(conn, table);
          zip.putNextEntry(new ZipEntry(table + ".csv"));
          var rows = copy.copyOut("copy " + quote(table) + " (" + String.join(", ", quoteAll(columns))
              + ") to stdout with (format csv, header true)", nonClosing(zip));
          zip.closeEntry();
          tables.add(new JsonObject().put("name", table).put("columns", new JsonArray(columns)).put("rows", rows));
        }
        manifest.put("format", 1).put("created_at", Instant.now().toString())
            .put("schema_version", schemaVersion(conn)).put("tables", tables);
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(manifest.encodePrettily().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      conn.commit();
    } catch (IOException | SQLException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    var removed = prune(dir, keep);
    return new JsonObject().put("file", target.toString()).put("bytes", Files.size(target))
        .put("tables", manifest.getJsonArray("tables")).put("schema_version", manifest.getValue("schema_version"))
        .put("removed", removed);
  }

  /** Writes the key pepper to {@code file} (0600) unless it already holds that pepper. */
  private static void keepPepper(Connection conn, Path file) throws SQLException, IOException {
    byte[] pepper;
    try (var st = conn.createStatement(); var rs = st.executeQuery(CleanupSql.PEPPER)) {
      if (!rs.next()) {
        return;
      }
      pepper = rs.getBytes(1);
    }
    var encoded = java.util.HexFormat.of().formatHex(pepper) + "\n";
    if (Files.exists(file) && Files.readString(file).equals(encoded)) {
      return;
    }
    PrivateFiles.write(file, encoded);
  }

  /** The pepper kept in {@code file} by {@link #write}, or null when there is no such file. */
  static byte[] readPepper(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return java.util.HexFormat.of().parseHex(Files.readString(file).strip());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " does not hold a key pepper (hex): " + e.getMessage(), e);
    }
  }

  /** Deletes all but the newest {@code keep} backups; returns the names removed. */
  static JsonArray prune(Path dir, int keep) throws IOException {
    var removed = new JsonArray();
    try (var files = Files.list(dir)) {
      var backups = files.filter(f -> f.getFileName().toString().startsWith(PREFIX)
              && f.getFileName().toString().endsWith(".zip"))
          .sorted(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed())
          .toList();
      for (var old : backups.subList(Math.min(keep, backups.size()), backups.size())) {
        Files.deleteIfExists(old);
        removed.add(old.getFileName().toString());
      }
    }
    return removed;
  }

  /**
   * Replaces every table's content with the backup's, in one transaction, streaming each table from the zip. The
   * database must be migrated first (to the backup's schema version or later); columns added since keep their
   * defaults.
   */
  JsonObject restore(Path file, byte[] pepper) throws IOException, SQLException {
    try (var conn = connect();
        var zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      conn.setAutoCommit(false);
      var version = schemaVersion(conn);
      if (version == null) {
        throw new IOException("the database has no Castbus schema; start any Castbus module against it once "
            + "(it migrates) and restore again");
      }
      // The pepper is not in the backup: the one given replaces the database's, else the database keeps its own.
      var names = restoreOrder(conn).stream().filter(t -> !t.equals("auth_secrets")).map(Backup::quote).toList();
      try (var st = conn.createStatement()) {
        st.execute("truncate " + String.join(", ", names) + " restart identity cascade");
        // The rows come back as they were: no trigger adds any (a feed's first subscription is in the backup).
        for (var name : names) {
          st.execute("alter table " + name + " disable trigger user");
        }
      }
      var copy = conn.unwrap(PGConnection.class).getCopyAPI();
      var restored = new JsonArray();
      JsonObject manifest = null;
      for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        if (entry.getName().equals("manifest.json")) {
          manifest = new JsonObject(new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
          continue;
        }
        var table = entry.getName().replaceFirst("\\.csv$", "");
        if (table.equals("sessions") || table.equals("auth_secrets") && pepper != null) {
          continue; // a backup from before they were left out: sessions are not restored, the file's pepper wins
        }
        if (table.equals("auth_secrets")) {
          try (var st = conn.createStatement()) {
            st.execute("delete from auth_secrets");
          }
        }
        var header = headerLine(zip);
        var columns = java.util.Arrays.stream(header.split(",")).map(c -> c.replace("\"", "")).toList();
        var rows = copy.copyIn("copy " + quote(table) + " (" + String.join(", ", quoteAll(columns))
            + ") from stdin with (format csv, header false)", zip);
        restored.add(new JsonObject().put("name", table).put("rows", rows));
      }
      if (manifest == null) {
        throw new IOException(file + " is not a Castbus backup: it has no manifest.json");
      }
      var wanted = manifest.getInteger("schema_version");
      if (wanted != null && version < wanted) {
        throw new IOException("the database is at schema version " + version + " but the backup was taken at "
            + wanted + "; upgrade Castbus first");
      }
      if (pepper != null) {
        try (var ps = conn.prepareStatement(CleanupSql.RESTORE_PEPPER)) {
          ps.setBytes(1, pepper);
          ps.executeUpdate();
        }
      }
      try (var st = conn.createStatement()) {
        for (var name : names) {
          st.execute("alter table " + name + " enable trigger user");
        }
      }
      resetSequences(conn);
      conn.commit();
      return new JsonObject().put("file", file.toString()).put("tables", restored);
    }
  }

  /** The CSV header line of a table's entry (its column names), read byte by byte so nothing after it is lost. */
  private static String headerLine(java.io.InputStream in) throws IOException {
    var line = new java.io.ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Tables referenced first, so a restore never loads a row before the row it points to. */
  static List<String> restoreOrder(Connection conn) throws SQLException {
    var refs = new LinkedHashMap<String, Set<String>>();
    try (var st = conn.createStatement(); var rs = st.executeQuery(CleanupSql.TABLES)) {
      while (rs.next()) {
        refs.put(rs.getString("name"), Set.of((String[]) rs.getArray("refs").getArray()));
      }
    }
    var order = new ArrayList<String>();
    var pending = new ArrayDeque<>(refs.keySet());
    var guard = 0;
    while (!pending.isEmpty()) {
      var table = pending.poll();
      if (order.containsAll(refs.get(table).stream().filter(refs::containsKey).toList())) {
        order.add(table);
        guard = 0;
      } else {
        pending.add(table);
        if (++guard > pending.size()) {
          order.addAll(pending);
          break;
        }
      }
    }
    return order;
  }

  private static List<String> columns(Connection conn, String table) throws SQLException {
    var columns = new ArrayList<String>();
    try (var ps = conn.prepareStatement(CleanupSql.COLUMNS)) {
      ps.setString(1, table);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    return columns;
  }

  private static Integer schemaVersion(Connection conn) throws SQLException {
    try (var st = conn.createStatement(); var rs = st.executeQuery(CleanupSql.SCHEMA_VERSION)) {
      return rs.next() ? (Integer) rs.getObject(1) : null;
    }
  }

  private static void resetSequences(Connection conn) throws SQLException {
    var sequences = new ArrayList<String[]>();
    try (var st = conn.createStatement(); var rs = st.executeQuery(CleanupSql.SERIAL_COLUMNS)) {
      while (rs.next()) {
        if (rs.getString("seq") != null) {
          sequences.add(new String[] {rs.getString("table_name"), rs.getString("column_name"), rs.getString("seq")});
        }
      }
    }
    // A sequence shared by several tables (podcasts and subscriptions) goes past the largest id of any of them.
    var bySequence = new java.util.LinkedHashMap<String, List<String>>();
    for (var s : sequences) {
      bySequence.computeIfAbsent(s[2], k -> new ArrayList<>())
          .add("(select max(" + quote(s[1]) + ") from " + quote(s[0]) + ")");
    }
    try (var st = conn.createStatement()) {
      for (var e : bySequence.entrySet()) {
        st.execute("select setval('" + e.getKey().replace("'", "''") + "', coalesce(greatest("
            + String.join(", ", e.getValue()) + "), 0) + 1, false)");
      }
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static List<String> quoteAll(List<String> identifiers) {
    return identifiers.stream().map(Backup::quote).toList();
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }
}
