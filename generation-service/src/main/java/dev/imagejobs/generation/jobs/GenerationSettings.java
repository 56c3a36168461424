package dev.imagejobs.generation.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How the generation service runs jobs ({@code imagejobs.generation.*}).
 *
 * @param maxInFlight records taken per poll by one consumer thread, so at most this many jobs run
 *     at once per thread, whatever the partition count
 * @param providerTimeout how long a provider call may take before the job fails with TIMEOUT;
 *     keep it well below the consumer's {@code max.poll.interval.ms}
 * @param maxImageSize largest artifact accepted when a provider answers with a URL to download
 */
@ConfigurationProperties("imagejobs.generation")
record GenerationSettings(int maxInFlight, Duration providerTimeout, DataSize maxImageSize) {
  GenerationSettings {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("imagejobs.generation.max-in-flight must be at least 1");
    }
    providerTimeout = providerTimeout == null ? Duration.ofMinutes(2) : providerTimeout;
    if (providerTimeout.isNegative() || providerTimeout.isZero()) {
      throw new IllegalArgumentException("imagejobs.generation.provider-timeout must be positive");
    }
    maxImageSize = maxImageSize == null ? DataSize.ofMegabytes(20) : maxImageSize;
  }
}
