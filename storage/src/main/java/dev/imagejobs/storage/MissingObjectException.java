package dev.imagejobs.storage;

/**
 * The object a copy reads from is not there. Unlike other {@link StorageException}s this is no
 * outage: calling again does not help until someone writes the object.
 */
public class MissingObjectException extends StorageException {
  public MissingObjectException(String message, Throwable cause) {
    super(message, cause);
  }
}
