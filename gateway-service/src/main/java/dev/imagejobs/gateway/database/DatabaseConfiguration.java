package dev.imagejobs.gateway.database;

import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The dedicated pools. Requests use Spring Boot's pool; the projection and the outbox relay
 * ({@link #BACKGROUND}) and the event streams ({@link #STREAMS}) use their own, so none of them
 * waits for a connection behind the others.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {
  /** Bean name of the pool of the projection and the outbox relay. */
  public static final String BACKGROUND = "backgroundDatabase";
  /** Bean name of the pool of the event streams. */
  public static final String STREAMS = "streamsDatabase";

  @Bean(BACKGROUND)
  DedicatedDatabase backgroundDatabase(
      R2dbcConnectionDetails database, R2dbcProperties properties, DatabaseSettings settings) {
    return DedicatedDatabase.pool(database, properties.getProperties(), "image-jobs-gateway-background",
        settings.projectionPoolSize(), settings.acquireTimeout());
  }

  @Bean(STREAMS)
  DedicatedDatabase streamsDatabase(
      R2dbcConnectionDetails database, R2dbcProperties properties, DatabaseSettings settings) {
    return DedicatedDatabase.pool(database, properties.getProperties(), "image-jobs-gateway-streams",
        settings.streamsPoolSize(), settings.acquireTimeout());
  }
}
