package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When creation is refused: a tenant with too many jobs waiting for generation, or an instance with
 * too many creations waiting for the database.
 *
 * @param maxQueuedPerTenant queued jobs a tenant may have across every gateway instance; 0 for no limit
 * @param maxCreationsInFlight creations one gateway instance runs at once; more get 503 at once; 0 for no limit
 * @param retryAfter what {@code Retry-After} suggests to a refused client
 */
@ConfigurationProperties("imagejobs.admission")
public record AdmissionSettings(@DefaultValue("10000") long maxQueuedPerTenant, @DefaultValue("64") int maxCreationsInFlight, @DefaultValue("5s") Duration retryAfter) {
  public AdmissionSettings {
    if (maxQueuedPerTenant < 0) {
      throw new IllegalArgumentException("imagejobs.admission.max-queued-per-tenant must not be negative");
    }
    if (maxCreationsInFlight < 0) {
      throw new IllegalArgumentException("imagejobs.admission.max-creations-in-flight must not be negative");
    }
    if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
      throw new IllegalArgumentException("imagejobs.admission.retry-after must be positive");
    }
  }

  /** {@link #retryAfter} in whole seconds, at least one, as {@code Retry-After} gives it. */
  public long retryAfterSeconds() {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }
}
