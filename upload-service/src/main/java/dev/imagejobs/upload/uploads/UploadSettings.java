package dev.imagejobs.upload.uploads;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How storage errors are retried before a job fails with a TEMPORARY error. The retries block the
 * partition's consumer thread, so keep their total well under {@code max.poll.interval.ms}.
 *
 * @param storageMaxRetries retries after the first attempt of a storage call
 * @param storageRetryDelay delay before the first retry; doubled after each
 * @param storageRetryMaxDelay cap of the delay
 */
@ConfigurationProperties("imagejobs.uploads")
record UploadSettings(int storageMaxRetries, Duration storageRetryDelay, Duration storageRetryMaxDelay) {

  UploadSettings {
    if (storageMaxRetries < 0) {
      throw new IllegalArgumentException("imagejobs.uploads.storage-max-retries must not be negative");
    }
    if (storageRetryDelay == null || storageRetryDelay.isNegative()
        || storageRetryMaxDelay == null || storageRetryMaxDelay.compareTo(storageRetryDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= storage-retry-delay <= storage-retry-max-delay");
    }
  }
}
