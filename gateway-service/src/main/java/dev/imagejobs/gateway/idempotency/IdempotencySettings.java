package dev.imagejobs.gateway.idempotency;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long idempotency keys live and how they are checked.
 *
 * @param ttl how long a key replays its response; afterwards it may be used again
 * @param maxKeyLength the longest key accepted
 * @param cleanupInterval how often expired keys are deleted
 */
@ConfigurationProperties("imagejobs.idempotency")
record IdempotencySettings(@DefaultValue("24h") Duration ttl, @DefaultValue("255") int maxKeyLength, @DefaultValue("1h") Duration cleanupInterval) {
  IdempotencySettings {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("imagejobs.idempotency.ttl must be positive");
    }
    if (maxKeyLength < 1 || maxKeyLength > 1024) {
      throw new IllegalArgumentException("imagejobs.idempotency.max-key-length must be between 1 and 1024");
    }
    if (cleanupInterval == null || cleanupInterval.isNegative() || cleanupInterval.isZero()) {
      throw new IllegalArgumentException("imagejobs.idempotency.cleanup-interval must be positive");
    }
  }
}
