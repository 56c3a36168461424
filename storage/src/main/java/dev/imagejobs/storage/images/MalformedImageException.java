package dev.imagejobs.storage.images;

/** An image whose header cannot be read; the message says what is wrong with it. */
public class MalformedImageException extends RuntimeException {
  public MalformedImageException(String message) {
    super(message);
  }
}
