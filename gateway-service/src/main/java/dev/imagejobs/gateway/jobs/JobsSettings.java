package dev.imagejobs.gateway.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the gateway writes into every new job's spec.
 *
 * @param provider the image provider that will generate it, e.g. {@code local} or {@code nano-banana}
 * @param model the provider's model id, also the key of the price table
 * @param maxPreferWait the longest a request may ask to be held back for its job to end ({@code Prefer: wait})
 */
@ConfigurationProperties("imagejobs.jobs")
record JobsSettings(@DefaultValue("local") String provider, @DefaultValue("local-v1") String model, @DefaultValue("60s") Duration maxPreferWait) {
  JobsSettings {
    if (maxPreferWait == null || maxPreferWait.isNegative()) {
      throw new IllegalArgumentException("imagejobs.jobs.max-prefer-wait must be zero or positive");
    }
    if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
      throw new IllegalArgumentException("imagejobs.jobs.provider and imagejobs.jobs.model are required");
    }
  }
}
