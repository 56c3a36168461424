package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * A decoded lifecycle event with its type and metadata at hand.
 *
 * @param type the event type
 * @param payload the Avro record
 * @param runKnown whether the event names its run: false for an event written with a schema version
 *     from before runs were recorded, whose {@code run} reads as 0 whatever run it belonged to
 */
public record LifecycleEvent(EventType type, SpecificRecord payload, boolean runKnown) {

  public LifecycleEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    if (!type.recordClass().isInstance(payload)) {
      throw new IllegalArgumentException(type + " does not match " + payload.getClass());
    }
  }

  /** An event of this build, which always names its run. */
  public LifecycleEvent(EventType type, SpecificRecord payload) {
    this(type, payload, true);
  }

  public static LifecycleEvent of(SpecificRecord payload) {
    return new LifecycleEvent(EventType.of(payload), payload);
  }

  /**
   * Whether the event belongs to a run before {@code run}: a late event of a run that a retry has
   * replaced, which must not change the new run. An event that does not name its run is not.
   */
  public boolean isOfRunBefore(int run) {
    return runKnown && metadata().getRun() < run;
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
