package dev.imagejobs.upload.messaging;

/** A record could not be written to Kafka; the consumed record is redelivered. */
public class EventPublishingException extends RuntimeException {
  public EventPublishingException(String message, Throwable cause) {
    super(message, cause);
  }
}
