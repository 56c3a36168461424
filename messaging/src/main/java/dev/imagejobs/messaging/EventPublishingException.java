package dev.imagejobs.messaging;

/** The broker did not acknowledge an event; the caller must not commit past its cause. */
public class EventPublishingException extends RuntimeException {
  public EventPublishingException(String message, Throwable cause) {
    super(message, cause);
  }
}
