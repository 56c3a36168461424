package dev.imagejobs.upload.uploads;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the upload service runs uploads ({@code imagejobs.upload.*}).
 *
 * @param maxInFlight jobs handled at once on this instance, whatever the partition count; also the
 *     number of threads for the blocking storage steps
 * @param drainTimeout how long running uploads may finish when partitions move or the service stops
 * @param maxRedeliveries times a record whose handling failed (its events could not be published,
 *     a cancel could not be recorded) is handled again before it is dead-lettered
 * @param redeliveryDelay pause before each of those
 * @param storageMaxRetries retries after the first attempt of a storage call
 * @param storageRetryDelay delay before the first retry; doubled after each
 * @param storageRetryMaxDelay cap of the delay
 */
@ConfigurationProperties("imagejobs.upload")
record UploadSettings(
    @DefaultValue("64") int maxInFlight,
    @DefaultValue("30s") Duration drainTimeout,
    @DefaultValue("2") int maxRedeliveries,
    @DefaultValue("1s") Duration redeliveryDelay,
    @DefaultValue("3") int storageMaxRetries,
    @DefaultValue("200ms") Duration storageRetryDelay,
    @DefaultValue("2s") Duration storageRetryMaxDelay) {

  UploadSettings {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("imagejobs.upload.max-in-flight must be at least 1");
    }
    if (maxRedeliveries < 0 || redeliveryDelay.isNegative()) {
      throw new IllegalArgumentException("imagejobs.upload.max-redeliveries and redelivery-delay must not be negative");
    }
    if (storageMaxRetries < 0) {
      throw new IllegalArgumentException("imagejobs.upload.storage-max-retries must not be negative");
    }
    if (storageRetryDelay == null || storageRetryDelay.isNegative()
        || storageRetryMaxDelay == null || storageRetryMaxDelay.compareTo(storageRetryDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= storage-retry-delay <= storage-retry-max-delay");
    }
  }
}
