package dev.imagejobs.gateway.database;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sizes of the dedicated pools. The API's own pool is Spring Boot's ({@code spring.r2dbc.pool.*}).
 *
 * @param projectionPoolSize connections of the projection and the outbox relay
 * @param streamsPoolSize connections of the event feed and the history reads of streams that join
 * @param acquireTimeout longest wait for a connection of a dedicated pool
 */
@ConfigurationProperties("imagejobs.database")
public record DatabaseSettings(@DefaultValue("3") int projectionPoolSize, @DefaultValue("4") int streamsPoolSize, Duration acquireTimeout) {
  public DatabaseSettings {
    if (projectionPoolSize < 1 || streamsPoolSize < 1) {
      throw new IllegalArgumentException("imagejobs.database.*-pool-size must be at least 1");
    }
    if (acquireTimeout == null || acquireTimeout.isNegative() || acquireTimeout.isZero()) {
      throw new IllegalArgumentException("imagejobs.database.acquire-timeout must be positive");
    }
  }
}
