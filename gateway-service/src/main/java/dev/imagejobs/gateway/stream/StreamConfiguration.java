package dev.imagejobs.gateway.stream;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The notification listener gets a connection of its own, outside the pool: {@code LISTEN} binds
 * to a session, and a pooled connection would be handed to other work.
 */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {
  private static final String POOL_DRIVER = "pool";
  private static final Option<String> APPLICATION_NAME = Option.valueOf("applicationName");
  static final String LISTENER_APPLICATION_NAME = "image-jobs-gateway-events";

  @Bean
  JobEventNotifications jobEventNotifications(R2dbcConnectionDetails database, StreamSettings settings) {
    ConnectionFactoryOptions pooled = database.getConnectionFactoryOptions();
    ConnectionFactoryOptions.Builder options = pooled.mutate();
    if (POOL_DRIVER.equals(pooled.getValue(ConnectionFactoryOptions.DRIVER))) {
      options.option(ConnectionFactoryOptions.DRIVER,
          String.valueOf(pooled.getRequiredValue(ConnectionFactoryOptions.PROTOCOL)));
      options.option(ConnectionFactoryOptions.PROTOCOL, "");
    }
    options.option(APPLICATION_NAME, LISTENER_APPLICATION_NAME);
    return new JobEventNotifications(ConnectionFactories.get(options.build()), settings);
  }
}
