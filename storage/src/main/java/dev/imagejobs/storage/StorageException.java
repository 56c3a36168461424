package dev.imagejobs.storage;

/** The store could not be read or written; usually transient, so callers may retry. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
