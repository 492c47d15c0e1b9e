package io.castbus.bench;

import io.castbus.common.db.Database;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/** A throwaway database on the server the user named, created for one benchmark and dropped after it. */
final class ScratchDatabase implements AutoCloseable {

  private final Database server;
  private final Database database;
  private final String name;
  private final String url;

  private ScratchDatabase(Database server, Database database, String name, String url) {
    this.server = server;
    this.database = database;
    this.name = name;
    this.url = url;
  }

  static ScratchDatabase create(String serverUrl) throws SQLException {
    var server = Database.of(serverUrl);
    var name = "castbus_bench_" + UUID.randomUUID().toString().substring(0, 8);
    try (var admin = connect(server)) {
      admin.createStatement().execute("create database " + name);
    }
    var o = server.options();
    var credentials = encode(o.getUser()) + (o.getPassword() == null ? "" : ":" + encode(o.getPassword()));
    var url = "postgresql://" + credentials + "@" + o.getHost() + ":" + o.getPort() + "/" + name;
    return new ScratchDatabase(server, Database.of(url), name, url);
  }

  /** The scratch database's URL, for a child process. */
  String url() {
    return url;
  }

  Database database() {
    return database;
  }

  String name() {
    return name;
  }

  Connection connect() throws SQLException {
    return connect(database);
  }

  /** Runs one statement. */
  void exec(String sql) throws SQLException {
    try (var c = connect(); var st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** The first column of the first row of a query, as a number. */
  long count(String sql) throws SQLException {
    try (var c = connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  String serverVersion() throws SQLException {
    try (var c = connect(); var rs = c.createStatement().executeQuery("show server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() throws SQLException {
    try (var admin = connect(server)) {
      admin.createStatement().execute("drop database if exists " + name + " with (force)");
    }
  }

  private static Connection connect(Database db) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
