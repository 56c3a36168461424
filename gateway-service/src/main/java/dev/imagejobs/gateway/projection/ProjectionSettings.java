package dev.imagejobs.gateway.projection;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the read-model projection consumes the lifecycle topic.
 *
 * @param enabled whether this instance runs the projection
 * @param pollTimeout how long one poll waits for records
 * @param maxPollRecords records per batch, i.e. per Postgres transaction
 * @param retryInitialBackoff pause after the first failed batch; doubles on each further failure
 * @param retryMaxBackoff longest pause between retries of a failing batch
 * @param databaseTimeout longest wait for one batch transaction or offset lookup
 * @param deadLetterTimeout longest wait for the broker to acknowledge a dead letter
 * @param consumerGroup the projection's consumer group, which also keys its offsets in the database
 *     (default {@code <imagejobs.topics.prefix>image-jobs-gateway-projection}, in {@code application.yml})
 */
@ConfigurationProperties("imagejobs.projection")
public record ProjectionSettings(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("500ms") Duration pollTimeout,
    @DefaultValue("500") int maxPollRecords,
    @DefaultValue("200ms") Duration retryInitialBackoff,
    @DefaultValue("10s") Duration retryMaxBackoff,
    @DefaultValue("30s") Duration databaseTimeout,
    @DefaultValue("30s") Duration deadLetterTimeout,
    String consumerGroup) {

  public ProjectionSettings {
    requirePositive(pollTimeout, "poll-timeout");
    requirePositive(retryInitialBackoff, "retry-initial-backoff");
    requirePositive(retryMaxBackoff, "retry-max-backoff");
    requirePositive(databaseTimeout, "database-timeout");
    requirePositive(deadLetterTimeout, "dead-letter-timeout");
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("imagejobs.projection.max-poll-records must be at least 1");
    }
    if (consumerGroup == null || consumerGroup.isBlank()) {
      throw new IllegalArgumentException("imagejobs.projection.consumer-group is required");
    }
  }

  /** The pause before retry number {@code failures} (1 = first retry): exponential, capped. */
  Duration backoff(int failures) {
    Duration backoff = retryInitialBackoff;
    for (int i = 1; i < failures && backoff.compareTo(retryMaxBackoff) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(retryMaxBackoff) > 0 ? retryMaxBackoff : backoff;
  }

  private static void requirePositive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("imagejobs.projection." + name + " must be positive");
    }
  }
}
