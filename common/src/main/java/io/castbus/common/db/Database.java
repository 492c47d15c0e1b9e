package io.castbus.common.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Connection settings parsed from a {@code postgresql://user:pass@host:port/db} URL, and pools built from them. */
public record Database(String url, PgConnectOptions options) {

  public static Database of(String url) {
    var normalized = url.replaceFirst("(?i)^postgres://", "postgresql://");
    var options = PgConnectOptions.fromUri(normalized)
        .setPipeliningLimit(256)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .setReconnectAttempts(0);
    if (options.getUser() == null) {
      options.setUser("postgres");
    }
    return new Database(normalized, options);
  }

  /** As many event loops as Vert.x starts by default (two per core): a pool's connections are spread over them. */
  private static final int EVENT_LOOPS = 2 * Runtime.getRuntime().availableProcessors();

  /**
   * A pool shared by every verticle of this process that asks for the same name. Its connections are spread over
   * the event loops: left to itself, a shared pool created off a verticle's context puts them all on one, and that
   * one thread then encodes and decodes every statement of the process.
   */
  public Pool pool(Vertx vertx, String name, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setShared(true).setName("castbus-" + name)
            .setEventLoopSize(Math.min(size, EVENT_LOOPS))
            .setConnectionTimeout(5).setMaxWaitQueueSize(10_000))
        .connectingTo(options)
        .using(vertx)
        .build();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }

  public String user() {
    return options.getUser();
  }

  public String password() {
    return options.getPassword();
  }
}
