package dev.imagejobs.upload.messaging;

/**
 * A record that decodes but can never be processed, e.g. its {@code ce_type} header names another
 * type than its value; it goes to the dead-letter topic at once, without redelivery.
 */
public class UnprocessableRecordException extends RuntimeException {
  public UnprocessableRecordException(String message) {
    super(message);
  }
}
