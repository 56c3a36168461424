package dev.imagejobs.messaging;

/** A record that decodes but can never be processed (for example its ce_type contradicts its value). */
public class UnprocessableRecordException extends RuntimeException {
  public UnprocessableRecordException(String message) {
    super(message);
  }
}
