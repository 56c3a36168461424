package dev.imagejobs.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes lifecycle events with Avro single-object encoding (marker {@code C3 01}, the writer
 * schema's CRC-64-AVRO fingerprint, then the Avro binary body), so any Avro implementation holding
 * the {@code .avsc} files can read a record without a registry. Decodes every released version of
 * every event type into this build's classes. Thread-safe; share one instance.
 */
public final class LifecycleCodec {

  private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};
  private static final int HEADER_LENGTH = MARKER.length + Long.BYTES;

  private final Map<EventType, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();
  private final Map<Long, BinaryMessageDecoder<SpecificRecord>> decodersByFingerprint = new HashMap<>();
  /** Writer schemas whose metadata has no {@code run} (written before runs were recorded). */
  private final Set<Long> withoutRun = new HashSet<>();

  /** A codec that reads every version kept in {@link SchemaCatalogue}. */
  public LifecycleCodec() {
    this(SchemaCatalogue::released);
  }

  LifecycleCodec(Function<EventType, List<Schema>> releasedVersions) {
    SpecificData model = SpecificData.get();
    for (EventType type : EventType.values()) {
      Schema current = type.currentSchema();
      encoders.put(type, new BinaryMessageEncoder<>(model, current));
      BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(model, current);
      decodersByFingerprint.put(fingerprint(current), decoder);
      for (Schema released : releasedVersions.apply(type)) {
        decoder.addSchema(released);
        decodersByFingerprint.put(fingerprint(released), decoder);
        if (released.getField("metadata").schema().getField("run") == null) {
          withoutRun.add(fingerprint(released));
        }
      }
    }
  }

  public byte[] encode(SpecificRecord event) {
    try {
      ByteBuffer buffer = encoders.get(EventType.of(event)).encode(event);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode " + event.getClass().getSimpleName(), e);
    }
  }

  /**
   * @throws UndecodableEventException for anything that is not a known lifecycle event
   */
  public LifecycleEvent decode(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MARKER[0] || bytes[1] != MARKER[1]) {
      throw new UndecodableEventException("Not Avro single-object encoded: missing C3 01 marker");
    }
    long fingerprint = ByteBuffer.wrap(bytes, MARKER.length, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
    BinaryMessageDecoder<SpecificRecord> decoder = decodersByFingerprint.get(fingerprint);
    if (decoder == null) {
      throw new UndecodableEventException("Unknown writer schema fingerprint " + Long.toHexString(fingerprint));
    }
    try {
      SpecificRecord event = decoder.decode(bytes);
      return new LifecycleEvent(EventType.of(event), event, !withoutRun.contains(fingerprint));
    } catch (BadHeaderException | MissingSchemaException e) {
      throw new UndecodableEventException(e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableEventException("Corrupt event body: " + e.getMessage(), e);
    }
  }

  static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }
}
