package io.castbus.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema in {@code db/migration} with Flyway. Flyway takes a PostgreSQL advisory lock, so
 * several processes starting at once apply each migration exactly once.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static Future<Integer> apply(Vertx vertx, Database database) {
    return vertx.executeBlocking(() -> migrate(database), false);
  }

  public static int migrate(Database database) {
    var flyway = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(database.jdbcUrl(), database.user(), database.password())
        .locations("classpath:db/migration")
        .connectRetries(10)
        .load();
    var result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      LOG.info("Applied {} migration(s); schema is at version {}", result.migrationsExecuted, result.targetSchemaVersion);
    }
    return result.migrationsExecuted;
  }
}
