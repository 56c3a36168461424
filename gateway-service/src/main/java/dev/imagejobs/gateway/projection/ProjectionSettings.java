package dev.imagejobs.gateway.projection;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the read-model projection consumes the lifecycle topic.
 *
 * @param enabled whether this instance runs the projection
 * @param pollTimeout how long one poll waits for records
 * @param maxPollRecords records per batch, i.e. per Postgres transaction
 * @param batchWait how long the broker may hold a fetch to gather more records for the next batch
 *     ({@code fetch.max.wait.ms}, with {@code fetch.min.bytes} of {@value #BATCH_BYTES} bytes): at
 *     moderate load a few larger transactions instead of one per record or two, each event at most
 *     this much later; {@code 0} sends records on as soon as there are any
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
    @DefaultValue("20ms") Duration batchWait,
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
    if (batchWait == null || batchWait.isNegative() || batchWait.compareTo(pollTimeout) >= 0) {
      throw new IllegalArgumentException("imagejobs.projection.batch-wait must be at least 0 and below poll-timeout");
    }
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("imagejobs.projection.max-poll-records must be at least 1");
    }
    if (consumerGroup == null || consumerGroup.isBlank()) {
      throw new IllegalArgumentException("imagejobs.projection.consumer-group is required");
    }
  }

  /** What a fetch waits for when {@link #batchWait} is set: more than a batch of records. */
  static final int BATCH_BYTES = 1024 * 1024;

  /** The consumer settings that make the broker gather a batch ({@link #batchWait}). */
  Map<String, Object> batching() {
    return batchWait.isZero() ? Map.of() : Map.of(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) batchWait.toMillis(),
        ConsumerConfig.FETCH_MIN_BYTES_CONFIG, BATCH_BYTES);
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
