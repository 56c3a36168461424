package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * A decoded lifecycle event with its type and metadata at hand.
 *
 * @param type the event type
 * @param payload the Avro record
 */
public record LifecycleEvent(EventType type, SpecificRecord payload) {

  public LifecycleEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    if (!type.recordClass().isInstance(payload)) {
      throw new IllegalArgumentException(type + " does not match " + payload.getClass());
    }
  }

  public static LifecycleEvent of(SpecificRecord payload) {
    return new LifecycleEvent(EventType.of(payload), payload);
  }

  public EventMetadata metadata() {
    return type.metadataOf(payload);
  }

  public String jobId() {
    return metadata().getJobId();
  }

  public <T extends SpecificRecord> T payload(Class<T> expected) {
    return expected.cast(payload);
  }

  public void dispatchTo(LifecycleEventHandler handler) {
    type.dispatch(payload, handler);
  }
}
