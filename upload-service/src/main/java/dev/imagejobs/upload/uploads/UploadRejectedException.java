package dev.imagejobs.upload.uploads;

/** The upload can never succeed for this event (bad path, missing artifact, conflicting object). */
class UploadRejectedException extends RuntimeException {
  UploadRejectedException(String message) {
    super(message);
  }

  UploadRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
