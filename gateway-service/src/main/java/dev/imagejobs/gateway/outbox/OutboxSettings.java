package dev.imagejobs.gateway.outbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the outbox relay runs.
 *
 * @param pollInterval how often the relay looks for rows besides being woken after each creation
 * @param batchSize rows published per transaction
 * @param sendTimeout how long to wait for the broker's acknowledgements before retrying later
 */
@ConfigurationProperties("imagejobs.outbox")
public record OutboxSettings(@DefaultValue("250ms") Duration pollInterval, @DefaultValue("100") int batchSize, @DefaultValue("10s") Duration sendTimeout) {

  public OutboxSettings {
    if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("imagejobs.outbox.poll-interval must be positive");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("imagejobs.outbox.batch-size must be at least 1");
    }
    if (sendTimeout == null || sendTimeout.isNegative() || sendTimeout.isZero()) {
      throw new IllegalArgumentException("imagejobs.outbox.send-timeout must be positive");
    }
  }
}
