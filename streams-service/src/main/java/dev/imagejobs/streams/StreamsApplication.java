package dev.imagejobs.streams;

import dev.imagejobs.schemas.avro.EventMetadata;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the streams service. */
@SpringBootApplication
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
