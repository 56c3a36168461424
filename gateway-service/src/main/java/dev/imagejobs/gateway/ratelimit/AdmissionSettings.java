package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How many jobs a tenant may have waiting for generation before creation is refused.
 *
 * @param maxQueuedPerTenant queued jobs a tenant may have across every gateway instance; 0 for no limit
 * @param retryAfter what {@code Retry-After} suggests to a refused client
 */
@ConfigurationProperties("imagejobs.admission")
public record AdmissionSettings(long maxQueuedPerTenant, Duration retryAfter) {
  public AdmissionSettings {
    if (maxQueuedPerTenant < 0) {
      throw new IllegalArgumentException("imagejobs.admission.max-queued-per-tenant must not be negative");
    }
    if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
      throw new IllegalArgumentException("imagejobs.admission.retry-after must be positive");
    }
  }
}
