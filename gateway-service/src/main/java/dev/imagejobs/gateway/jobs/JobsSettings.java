package dev.imagejobs.gateway.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the gateway writes into every new job's spec.
 *
 * @param provider the image provider that will generate it, e.g. {@code local} or {@code nano-banana}
 * @param model the provider's model id, also the key of the price table
 */
@ConfigurationProperties("imagejobs.jobs")
record JobsSettings(String provider, String model) {
  JobsSettings {
    if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
      throw new IllegalArgumentException("imagejobs.jobs.provider and imagejobs.jobs.model are required");
    }
  }
}
