package io.castbus.common.launch;

import io.castbus.common.config.Settings;
import io.castbus.common.db.Database;
import io.castbus.common.ops.Health;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/** What the verticles of one process share: settings, database, pool, health. */
public record Process(Vertx vertx, Settings settings, Database database, Pool pool, Health health) {
}
