package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.SchemaCatalogue;
import dev.imagejobs.schemas.avro.JobSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary form of {@link JobState} in the state store and its changelog topic, which outlive a
 * deployment: a format version byte, then the fields in a fixed order. The spec is an Avro
 * single-object value whose decoder knows every released version of {@code JobSpec} (taken from the
 * released {@code JobRequested} schemas), so state written by an older build still reads after the
 * schema evolves. A change to the field layout needs a new format version. Thread-safe.
 */
final class JobStateCodec {

  static final byte FORMAT_V1 = 1;

  private final BinaryMessageEncoder<JobSpec> specEncoder;
  private final BinaryMessageDecoder<JobSpec> specDecoder;

  JobStateCodec() {
    SpecificData model = SpecificData.get();
    specEncoder = new BinaryMessageEncoder<>(model, JobSpec.getClassSchema());
    specDecoder = new BinaryMessageDecoder<>(model, JobSpec.getClassSchema());
    for (Schema requested : SchemaCatalogue.released(EventType.JOB_REQUESTED)) {
      specDecoder.addSchema(requested.getField("spec").schema());
    }
  }

  Serde<JobState> serde() {
    return Serdes.serdeFrom((topic, state) -> state == null ? null : encode(state),
        (topic, bytes) -> bytes == null ? null : decode(bytes));
  }

  byte[] encode(JobState state) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT_V1);
      writeString(out, state.jobId());
      writeString(out, state.tenantId());
      writeBytes(out, spec(state.spec()));
      writeString(out, state.status().wireName());
      out.writeInt(state.attempts());
      out.writeInt(state.retries());
      writeInstant(out, state.createdAt());
      writeInstant(out, state.startedAt());
      writeInstant(out, state.lastTransitionAt());
      writeInstant(out, state.completedAt());
      out.writeLong(state.actualCostMicros());
      writeString(out, state.provider());
      writeString(out, state.model());
      JobState.StoredImage image = state.image();
      out.writeBoolean(image != null);
      if (image != null) {
        writeString(out, image.storagePath());
        writeString(out, image.objectUri());
        writeString(out, image.contentType());
        out.writeLong(image.sizeBytes());
        out.writeInt(image.width());
        out.writeInt(image.height());
        writeString(out, image.sha256());
      }
      writeString(out, state.completedEventId());
      writeString(out, state.traceparent());
      out.writeInt(state.recentEventIds().size());
      for (String eventId : state.recentEventIds()) {
        writeString(out, eventId);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode the state of job " + state.jobId(), e);
    }
  }

  /**
   * @throws SerializationException when the bytes are not a state this build can read
   */
  JobState decode(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte format = in.readByte();
      if (format != FORMAT_V1) {
        throw new SerializationException("Unknown job state format " + format);
      }
      String jobId = readString(in);
      String tenantId = readString(in);
      JobSpec spec = specDecoder.decode(readBytes(in));
      JobStatus status = JobStatus.fromWireName(readString(in))
          .orElseThrow(() -> new SerializationException("Unknown status in the state of job " + jobId));
      int attempts = in.readInt();
      int retries = in.readInt();
      Instant createdAt = readInstant(in);
      Instant startedAt = readInstant(in);
      Instant lastTransitionAt = readInstant(in);
      Instant completedAt = readInstant(in);
      long actualCostMicros = in.readLong();
      String provider = readString(in);
      String model = readString(in);
      JobState.StoredImage image = in.readBoolean()
          ? new JobState.StoredImage(
              readString(in), readString(in), readString(in), in.readLong(), in.readInt(), in.readInt(), readString(in))
          : null;
      String completedEventId = readString(in);
      String traceparent = readString(in);
      int eventIds = in.readInt();
      List<String> recentEventIds = new ArrayList<>(eventIds);
      for (int i = 0; i < eventIds; i++) {
        recentEventIds.add(readString(in));
      }
      return new JobState(jobId, tenantId, spec, status, attempts, retries, createdAt, startedAt, lastTransitionAt,
          completedAt, actualCostMicros, provider, model, image, completedEventId, traceparent, recentEventIds);
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException serialization) {
        throw serialization;
      }
      throw new SerializationException("Cannot decode a job state: " + e.getMessage(), e);
    }
  }

  private byte[] spec(JobSpec spec) throws IOException {
    ByteBuffer buffer = specEncoder.encode(spec);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    writeBytes(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(value.length);
    out.write(value);
  }

  private static void writeInstant(DataOutputStream out, Instant value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeLong(value.toEpochMilli());
    }
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = readBytes(in);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException("Job state truncated");
    }
    return bytes;
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return in.readBoolean() ? Instant.ofEpochMilli(in.readLong()) : null;
  }
}
