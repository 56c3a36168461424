package dev.imagejobs.gateway.database;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * A pool of connections of its own for one kind of work, with its client and transactions, so that
 * work never waits for a connection behind another kind (a burst of requests cannot starve the
 * projection, nor the projection the requests). Its sessions carry the work's name
 * ({@code application_name}), which shows in {@code pg_stat_activity}.
 */
public final class DedicatedDatabase implements DisposableBean {
  private static final String POOL_DRIVER = "pool";
  private static final Option<String> APPLICATION_NAME = Option.valueOf("applicationName");
  private static final Option<Object> CONNECT_TIMEOUT = Option.valueOf("connectTimeout");

  private final ConnectionPool pool;
  private final DatabaseClient client;
  private final TransactionalOperator transactions;

  private DedicatedDatabase(ConnectionPool pool) {
    this.pool = pool;
    this.client = DatabaseClient.create(pool);
    this.transactions = TransactionalOperator.create(new R2dbcTransactionManager(pool));
  }

  /** A pool of {@code size} connections named {@code name}, to the database the API's pool uses. */
  public static DedicatedDatabase pool(
      R2dbcConnectionDetails database, Map<String, String> properties, String name, int size, Duration acquireTimeout) {
    ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(unpooled(database, properties, name))
        .name(name)
        .initialSize(0)
        .maxSize(size)
        .maxAcquireTime(acquireTimeout)
        // After a database restart every idle connection is dead: one acquisition may discard them all.
        .acquireRetry(size)
        .build());
    return new DedicatedDatabase(pool);
  }

  /**
   * Single connections, outside every pool, named {@code name}: for a session that must stay
   * bound to one piece of work, such as {@code LISTEN}.
   */
  public static ConnectionFactory unpooled(R2dbcConnectionDetails database, Map<String, String> properties, String name) {
    ConnectionFactoryOptions pooled = database.getConnectionFactoryOptions();
    ConnectionFactoryOptions.Builder options = pooled.mutate();
    if (POOL_DRIVER.equals(pooled.getValue(ConnectionFactoryOptions.DRIVER))) {
      options.option(ConnectionFactoryOptions.DRIVER,
          String.valueOf(pooled.getRequiredValue(ConnectionFactoryOptions.PROTOCOL)));
      options.option(ConnectionFactoryOptions.PROTOCOL, "");
    }
    // spring.r2dbc.properties (connect timeout, ...) apply to every connection, pooled or not.
    properties.forEach((key, value) -> options.option(Option.valueOf(key), value));
    options.option(APPLICATION_NAME, name);
    return ConnectionFactories.get(options.build());
  }

  public DatabaseClient client() {
    return client;
  }

  public TransactionalOperator transactions() {
    return transactions;
  }

  @Override
  public void destroy() {
    pool.dispose();
  }
}
