package dev.imagejobs.gateway;

import dev.imagejobs.messaging.MessagingAutoConfiguration;
import dev.imagejobs.schemas.LifecycleCodec;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Starts the gateway: REST API, event streams, web page, outbox relay and read-model projection. */
// The gateway writes events through its outbox and dead-letters with its own producer and error
// handling: from the messaging module it takes only the topics and the blob store.
@SpringBootApplication(exclude = MessagingAutoConfiguration.class)
@ConfigurationPropertiesScan
public class GatewayApplication {

  /** Avro refuses to instantiate generated classes from packages it has not been told to trust. */
  static final String AVRO_TRUSTED_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";

  public static void main(String[] args) {
    if (System.getProperty(AVRO_TRUSTED_PACKAGES) == null) {
      System.setProperty(AVRO_TRUSTED_PACKAGES, "dev.imagejobs.schemas.avro");
    }
    SpringApplication.run(GatewayApplication.class, args);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** One codec for the outbox and the projection: it is thread-safe and costly to build. */
  @Bean
  LifecycleCodec lifecycleCodec() {
    return new LifecycleCodec();
  }
}
