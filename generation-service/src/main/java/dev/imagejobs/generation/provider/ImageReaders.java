package dev.imagejobs.generation.provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/** Asks the JDK's image reader for some bytes a question: its type, its size, a scaled-down picture. */
public final class ImageReaders {
  private ImageReaders() {}

  /**
   * The answer of the first reader that knows the bytes' format; empty when none does (WebP) or
   * the bytes are truncated or corrupt.
   */
  public static <T> Optional<T> withReader(byte[] content, Query<T> query) {
    // In memory: ImageIO.createImageInputStream would copy the bytes to a temporary file first.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(content))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return Optional.empty();
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return Optional.ofNullable(query.ask(reader));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A question to a reader whose input is set. */
  public interface Query<T> {
    T ask(ImageReader reader) throws IOException;
  }
}
