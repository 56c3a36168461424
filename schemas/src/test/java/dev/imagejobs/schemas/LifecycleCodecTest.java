package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobRequested;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class LifecycleCodecTest {
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void roundTripsAnEventWithTypeAndMetadata() {
    JobRequested requested = Events.aJobRequested("job-1");

    LifecycleEvent decoded = codec.decode(codec.encode(requested));

    assertThat(decoded.type()).isEqualTo(EventType.JOB_REQUESTED);
    assertThat(decoded.payload()).isEqualTo(requested);
    assertThat(decoded.jobId()).isEqualTo("job-1");
  }

  @Test
  void writesSingleObjectEncodingWithTheWriterFingerprint() {
    byte[] bytes = codec.encode(Events.aJobRequested("job-1"));

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(LifecycleCodec.fingerprint(EventType.JOB_REQUESTED.currentSchema()));
  }

  @Test
  void aGenericReaderHoldingOnlyTheReleasedAvscReadsTheBytes() throws IOException {
    byte[] bytes = codec.encode(Events.aJobRequested("job-7"));
    Schema released;
    int newest = SchemaCatalogue.released(EventType.JOB_REQUESTED).size();
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("dev/imagejobs/schemas/released/JobRequested/v" + newest + ".avsc")) {
      released = new Schema.Parser().parse(in);
    }

    GenericRecord record = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), released).decode(bytes);

    assertThat(((GenericRecord) record.get("metadata")).get("jobId").toString()).isEqualTo("job-7");
    assertThat(((GenericRecord) record.get("spec")).get("jobType").toString()).isEqualTo("ASSET_IMAGE_KEY");
  }

  @Test
  void readsDataWrittenWithAnOlderKeptVersion() throws IOException {
    // An older JobCanceled without "reason", as it would be kept in the released folder.
    Schema current = EventType.JOB_CANCELED.currentSchema();
    String json = current.toString();
    Schema older = new Schema.Parser().parse(json.substring(0, json.indexOf(",{\"name\":\"reason\"")) + "]}");
    LifecycleCodec knowsOlder =
        new LifecycleCodec(type -> type == EventType.JOB_CANCELED ? List.of(older) : List.of());
    GenericRecord old = new GenericData.Record(older);
    old.put("metadata", GenericData.get().deepCopy(
        older.getField("metadata").schema(), toGeneric(Events.metadata("job-9", "generation", 1))));
    old.put("stage", "generating");
    byte[] bytes = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older).encode(old));

    LifecycleEvent decoded = knowsOlder.decode(bytes);

    JobCanceled canceled = decoded.payload(JobCanceled.class);
    assertThat(canceled.getStage()).isEqualTo("generating");
    assertThat(canceled.getReason()).isNull();
    assertThat(canceled.getMetadata().getJobId()).isEqualTo("job-9");
    assertThatThrownBy(() -> codec.decode(bytes))
        .as("a codec that does not keep the older version refuses it")
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("Unknown writer schema fingerprint");
  }

  @Test
  void anEventWrittenBeforeRunsWereRecordedDoesNotNameItsRun() throws IOException {
    Schema v1 = SchemaCatalogue.released(EventType.JOB_STARTED).get(0);
    assertThat(v1.getField("metadata").schema().getField("run")).isNull();
    GenericRecord old = new GenericData.Record(v1);
    GenericRecord metadata = new GenericData.Record(v1.getField("metadata").schema());
    GenericRecord current = toGeneric(Events.metadata("job-10", "generation", 0));
    for (Schema.Field field : metadata.getSchema().getFields()) {
      metadata.put(field.name(), current.get(field.name()));
    }
    old.put("metadata", metadata);
    byte[] written = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

    LifecycleEvent decoded = codec.decode(written);

    assertThat(decoded.runKnown()).isFalse();
    assertThat(decoded.metadata().getRun()).isZero();
    assertThat(decoded.isOfRunBefore(1)).as("never taken for a late event").isFalse();
    LifecycleEvent now = codec.decode(codec.encode(Events.aJobStarted("job-10")));
    assertThat(now.runKnown()).isTrue();
    assertThat(now.isOfRunBefore(1)).isTrue();
  }

  @Test
  void refusesBytesWithoutTheSingleObjectMarker() {
    assertThatThrownBy(() -> codec.decode("not avro at all".getBytes()))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("marker");
    assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(UndecodableEventException.class);
  }

  @Test
  void refusesAnUnknownFingerprint() {
    byte[] bytes = codec.encode(Events.aJobStarted("job-1"));
    bytes[5] ^= 0x5A;

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("Unknown writer schema fingerprint");
  }

  @Test
  void refusesATruncatedBody() {
    byte[] bytes = codec.encode(Events.aJobRequested("job-1"));
    byte[] truncated = Arrays.copyOf(bytes, 20);

    assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(UndecodableEventException.class);
  }

  private static GenericRecord toGeneric(dev.imagejobs.schemas.avro.EventMetadata metadata) {
    GenericRecord record = new GenericData.Record(metadata.getSchema());
    for (Schema.Field field : metadata.getSchema().getFields()) {
      Object value = metadata.get(field.pos());
      record.put(field.pos(), value instanceof java.time.Instant instant ? instant.toEpochMilli() : value);
    }
    return record;
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
