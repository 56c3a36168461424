package dev.imagejobs.gateway.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the gateway writes into every new job's spec.
 *
 * @param provider the image provider that will generate it, e.g. {@code local} or {@code nano-banana}
 * @param model the provider's model id, also the key of the price table
 * @param maxPreferWait the longest a request may ask to be held back for its job to end ({@code Prefer: wait})
 */
@ConfigurationProperties("imagejobs.jobs")
record JobsSettings(String provider, String model, Duration maxPreferWait) {
  JobsSettings {
    if (maxPreferWait == null || maxPreferWait.isNegative()) {
      throw new IllegalArgumentException("imagejobs.jobs.max-prefer-wait must be zero or positive");
    }
    if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
      throw new IllegalArgumentException("imagejobs.jobs.provider and imagejobs.jobs.model are required");
    }
  }
}
