package dev.imagejobs.schemas;

/**
 * Bytes that are not a lifecycle event this build can read: not single-object encoded, a schema
 * fingerprint no released version has, or a body that does not match its schema. Consumers send
 * such records to the dead-letter topic instead of blocking the partition.
 */
public class UndecodableEventException extends RuntimeException {
  public UndecodableEventException(String message) {
    super(message);
  }

  public UndecodableEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
