package dev.imagejobs.upload.uploads;

import dev.imagejobs.storage.MissingObjectException;
import dev.imagejobs.storage.StorageException;
import java.util.function.Supplier;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Runs storage calls with in-place retries ({@code imagejobs.upload.storage-*}): a call that keeps
 * failing with a {@link StorageException} is an outage, thrown as {@link StorageUnavailableException}.
 * A missing source object ({@link MissingObjectException}) is no outage: it is thrown at once.
 */
final class StorageRetries {
  private final RetryTemplate template;

  StorageRetries(UploadSettings settings) {
    this.template = new RetryTemplate(RetryPolicy.builder()
        .includes(StorageException.class)
        .excludes(MissingObjectException.class)
        .maxRetries(settings.storageMaxRetries())
        .delay(settings.storageRetryDelay())
        .multiplier(2)
        .maxDelay(settings.storageRetryMaxDelay())
        .build());
  }

  /**
   * The result of {@code operation}, retried while it fails with a {@link StorageException}.
   *
   * @param action what the operation does, for the message of an outage
   * @throws StorageUnavailableException when the store kept failing through every retry
   * @throws MissingObjectException when the object the operation reads from is not there
   */
  <T> T run(String action, Supplier<T> operation) {
    try {
      return template.execute(operation::get);
    } catch (RetryException e) {
      Throwable last = e.getLastException();
      if (last instanceof MissingObjectException missing) {
        throw missing;
      }
      if (last instanceof StorageException) {
        throw new StorageUnavailableException(
            action + " failed after " + (e.getRetryCount() + 1) + " attempts: " + last.getMessage(), last);
      }
      if (last instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(action + " failed", last);
    }
  }
}
