package dev.imagejobs.streams;

import dev.imagejobs.messaging.MessagingAutoConfiguration;
import dev.imagejobs.schemas.avro.EventMetadata;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the streams service. */
// The topology produces and dead-letters inside its own transactions: from the messaging module the
// service takes only the topics, which KafkaAdmin creates before the topology starts.
@SpringBootApplication(exclude = MessagingAutoConfiguration.class)
@ConfigurationPropertiesScan
public class StreamsApplication {

  /** System property naming the packages Avro may instantiate classes from. */
  static final String AVRO_TRUSTED_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";

  public static void main(String[] args) {
    // Avro 1.12 refuses to decode generated classes of untrusted packages; it reads the property once.
    if (System.getProperty(AVRO_TRUSTED_PACKAGES) == null) {
      System.setProperty(AVRO_TRUSTED_PACKAGES, EventMetadata.class.getPackageName());
    }
    SpringApplication.run(StreamsApplication.class, args);
  }
}
