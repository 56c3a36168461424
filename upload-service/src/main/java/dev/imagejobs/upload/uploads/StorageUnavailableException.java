package dev.imagejobs.upload.uploads;

/**
 * The store kept failing through the in-place retries: an outage. The upload dispatcher handles the
 * record again until the store is back or the job has ended ({@code retriedUntilItWorks}).
 */
class StorageUnavailableException extends RuntimeException {
  StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
