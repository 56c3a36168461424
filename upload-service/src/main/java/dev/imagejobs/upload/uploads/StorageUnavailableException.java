package dev.imagejobs.upload.uploads;

/** The store kept failing after every retry; the job fails with a TEMPORARY error. */
class StorageUnavailableException extends RuntimeException {
  StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
