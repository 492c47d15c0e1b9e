package io.castbus.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database for one test class. The server is the one named by {@code TEST_DATABASE_URL}
 * (or {@code DATABASE_URL}) when set — CI points it at the machine's PostgreSQL — and otherwise an embedded
 * PostgreSQL started once per JVM. There is no fallback that skips: if neither works, the test fails.
 */
public final class TestDatabase implements AutoCloseable {

  private static String serverUrl;
  private static EmbeddedPostgres embedded;

  private final String url;
  private final String name;

  private TestDatabase(String url, String name) {
    this.url = url;
    this.name = name;
  }

  /** Creates a database named after the test and returns it. */
  public static synchronized TestDatabase create(String label) {
    var server = server();
    var name = ("castbus_" + label.replaceAll("[^A-Za-z0-9]", "_") + "_"
        + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    if (name.length() > 60) {
      name = name.substring(name.length() - 60);
      name = "c" + name.substring(1);
    }
    admin(server, "create database " + name);
    return new TestDatabase(withDatabase(server, name), name);
  }

  /** {@code postgresql://user@host:port/db}, as Castbus's DATABASE_URL. */
  public String url() {
    return url;
  }

  public String name() {
    return name;
  }

  /** Runs SQL statements on this database (test set-up that has no API yet). */
  public void execute(String sql) {
    run(url, sql);
  }

  /** The first column of the first row of a query that yields one number (a count in a test's check). */
  public long queryLong(String sql) {
    try (var conn = connect(url); var st = conn.createStatement(); var rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("no row from " + sql);
      }
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test database query failed (" + sql + "): " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    admin(server(), "drop database if exists " + name + " with (force)");
  }

  private static synchronized String server() {
    if (serverUrl != null) {
      return serverUrl;
    }
    var configured = System.getenv("TEST_DATABASE_URL");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("DATABASE_URL");
    }
    if (configured != null && !configured.isBlank()) {
      serverUrl = configured.replaceFirst("(?i)^postgres://", "postgresql://");
      return serverUrl;
    }
    try {
      embedded = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException ignored) {
          // the JVM is exiting; the temporary cluster goes with it
        }
      }));
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL and no TEST_DATABASE_URL is set", e);
    }
    serverUrl = "postgresql://postgres@localhost:" + embedded.getPort() + "/postgres";
    return serverUrl;
  }

  private static String withDatabase(String server, String database) {
    var uri = URI.create(server);
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database;
  }

  private static void admin(String server, String sql) {
    run(withDatabase(server, "postgres"), sql);
  }

  private static void run(String url, String sql) {
    try (var conn = connect(url); var st = conn.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database statement failed (" + sql + ") on " + url + ": "
          + e.getMessage(), e);
    }
  }

  private static java.sql.Connection connect(String url) throws SQLException {
    var uri = URI.create(url);
    var userInfo = uri.getUserInfo();
    var user = userInfo == null ? "postgres" : userInfo.split(":", 2)[0];
    var password = userInfo != null && userInfo.contains(":") ? userInfo.split(":", 2)[1] : null;
    var port = uri.getPort() < 0 ? 5432 : uri.getPort();
    return DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath(), user,
        password);
  }
}
