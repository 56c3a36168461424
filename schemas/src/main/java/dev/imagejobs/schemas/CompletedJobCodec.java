package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.ImageJobCompleted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * Avro single-object codec of the public {@code ImageJobCompleted} summary on
 * {@link Topics#COMPLETED}; reads every released version of it. Thread-safe.
 */
public final class CompletedJobCodec {
  /** Record name of the summary in the released-schema folder. */
  public static final String RECORD_NAME = "ImageJobCompleted";

  private final BinaryMessageEncoder<ImageJobCompleted> encoder;
  private final BinaryMessageDecoder<ImageJobCompleted> decoder;

  public CompletedJobCodec() {
    SpecificData model = SpecificData.get();
    Schema current = ImageJobCompleted.getClassSchema();
    encoder = new BinaryMessageEncoder<>(model, current);
    decoder = new BinaryMessageDecoder<>(model, current);
    SchemaCatalogue.released(RECORD_NAME).forEach(decoder::addSchema);
  }

  public byte[] encode(ImageJobCompleted summary) {
    try {
      ByteBuffer buffer = encoder.encode(summary);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode ImageJobCompleted", e);
    }
  }

  /**
   * @throws UndecodableEventException when the bytes are not a known version of the summary
   */
  public ImageJobCompleted decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableEventException("Not an ImageJobCompleted: " + e.getMessage(), e);
    }
  }
}
