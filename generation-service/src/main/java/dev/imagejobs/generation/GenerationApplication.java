package dev.imagejobs.generation;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the generation service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GenerationApplication {

  /** Avro refuses to instantiate generated classes from packages it has not been told to trust. */
  static final String TRUSTED_PACKAGES_PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";

  public static void main(String[] args) {
    if (System.getProperty(TRUSTED_PACKAGES_PROPERTY) == null) {
      System.setProperty(TRUSTED_PACKAGES_PROPERTY, "dev.imagejobs.schemas.avro");
    }
    SpringApplication.run(GenerationApplication.class, args);
  }
}
