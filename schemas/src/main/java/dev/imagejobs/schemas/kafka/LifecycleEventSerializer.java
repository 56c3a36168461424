package dev.imagejobs.schemas.kafka;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a lifecycle event as an Avro single-object value and its CloudEvents headers. */
public class LifecycleEventSerializer implements Serializer<SpecificRecord> {
  private final LifecycleCodec codec;

  public LifecycleEventSerializer() {
    this(new LifecycleCodec());
  }

  public LifecycleEventSerializer(LifecycleCodec codec) {
    this.codec = codec;
  }

  @Override
  public byte[] serialize(String topic, SpecificRecord data) {
    return data == null ? null : codec.encode(data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, SpecificRecord data) {
    if (data == null) {
      return null;
    }
    CloudEventHeaders.write(headers, LifecycleEvent.of(data));
    return codec.encode(data);
  }
}
