package dev.imagejobs.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An object opened for reading: its bytes as a stream (read them once, then close), their number,
 * and the object's metadata.
 *
 * @param content the bytes, from the first
 * @param size how many bytes {@code content} holds, or -1 when the store did not say
 * @param metadata the object's metadata
 */
public record BlobStream(InputStream content, long size, BlobMetadata metadata) implements Closeable {

  @Override
  public void close() throws IOException {
    content.close();
  }
}
