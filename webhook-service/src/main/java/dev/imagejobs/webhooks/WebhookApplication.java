package dev.imagejobs.webhooks;

import dev.imagejobs.messaging.MessagingAutoConfiguration;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.avro.EventMetadata;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Entry point of the webhook service: reads the jobs' events and delivers them to the endpoints that want them. */
// The service writes no events: from the messaging module it takes only the topics.
@SpringBootApplication(exclude = MessagingAutoConfiguration.class)
@ConfigurationPropertiesScan
public class WebhookApplication {

  /** System property naming the packages Avro may instantiate classes from. */
  static final String AVRO_TRUSTED_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";

  public static void main(String[] args) {
    // Avro 1.12 refuses to decode generated classes of untrusted packages; it reads the property once.
    if (System.getProperty(AVRO_TRUSTED_PACKAGES) == null) {
      System.setProperty(AVRO_TRUSTED_PACKAGES, EventMetadata.class.getPackageName());
    }
    SpringApplication.run(WebhookApplication.class, args);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  LifecycleCodec lifecycleCodec() {
    return new LifecycleCodec();
  }
}
