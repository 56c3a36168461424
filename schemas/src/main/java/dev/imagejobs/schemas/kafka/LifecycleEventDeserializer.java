package dev.imagejobs.schemas.kafka;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a lifecycle event of any released schema version. Throws
 * {@link dev.imagejobs.schemas.UndecodableEventException} for poison records; wrap it in an
 * error-handling deserializer so they reach the dead-letter topic.
 */
public class LifecycleEventDeserializer implements Deserializer<LifecycleEvent> {
  private final LifecycleCodec codec;

  public LifecycleEventDeserializer() {
    this(new LifecycleCodec());
  }

  public LifecycleEventDeserializer(LifecycleCodec codec) {
    this.codec = codec;
  }

  @Override
  public LifecycleEvent deserialize(String topic, byte[] data) {
    return data == null ? null : codec.decode(data);
  }
}
