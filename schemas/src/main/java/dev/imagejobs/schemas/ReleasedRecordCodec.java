package dev.imagejobs.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object codec of one record that is not a lifecycle event (a topic's value of its
 * own), reading every version released under its name in {@link SchemaCatalogue}. Thread-safe.
 *
 * @param <T> the generated record class
 */
public class ReleasedRecordCodec<T extends SpecificRecord> {
  private final String recordName;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  protected ReleasedRecordCodec(Schema current) {
    this.recordName = current.getName();
    SpecificData model = SpecificData.get();
    encoder = new BinaryMessageEncoder<>(model, current);
    decoder = new BinaryMessageDecoder<>(model, current);
    SchemaCatalogue.released(recordName).forEach(decoder::addSchema);
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode " + recordName, e);
    }
  }

  /**
   * @throws UndecodableEventException when the bytes are not a known version of the record
   */
  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableEventException("Not a " + recordName + ": " + e.getMessage(), e);
    }
  }
}
