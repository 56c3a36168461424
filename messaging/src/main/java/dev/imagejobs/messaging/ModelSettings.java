package dev.imagejobs.messaging;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Models added to the {@link ModelCatalogue}, or built-in ones overridden, by id:
 * {@code imagejobs.models.catalogue.<model>.max-reference-images}, {@code .max-reference-size},
 * {@code .reference-types}, {@code .edits} (whether the model runs EDIT jobs; false unless set), {@code .max-variants} (how many
 * variants of one request a job may ask for, 1 to 4; 1 unless set).
 */
@ConfigurationProperties("imagejobs.models")
public record ModelSettings(@DefaultValue Map<String, ModelCatalogue.ModelCapabilities> catalogue) {
  public ModelSettings {
    catalogue = catalogue == null ? Map.of() : Map.copyOf(catalogue);
  }
}
