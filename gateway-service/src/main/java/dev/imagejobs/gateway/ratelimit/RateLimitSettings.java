package dev.imagejobs.gateway.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The job-creation limit of each tenant on each gateway instance.
 *
 * @param enabled whether creation is limited at all
 * @param ratePerSecond sustained creations per second
 * @param burst creations allowed at once after a quiet period
 */
@ConfigurationProperties("imagejobs.rate-limit")
record RateLimitSettings(@DefaultValue("true") boolean enabled, @DefaultValue("5") double ratePerSecond, @DefaultValue("100") int burst) {
  RateLimitSettings {
    if (enabled && (ratePerSecond <= 0 || burst < 1)) {
      throw new IllegalArgumentException(
          "imagejobs.rate-limit.rate-per-second must be positive and imagejobs.rate-limit.burst at least 1");
    }
  }
}
