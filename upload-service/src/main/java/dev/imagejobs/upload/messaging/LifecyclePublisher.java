package dev.imagejobs.upload.messaging;

import org.apache.avro.specific.SpecificRecord;

/** Publishes the lifecycle events the upload service owns. */
public interface LifecyclePublisher {

  /**
   * Publishes {@code event} keyed by its job id and returns once the broker acknowledged it, so the
   * consumed offset is committed only after the events it caused are durable.
   *
   * @throws EventPublishingException when the broker did not acknowledge the event
   */
  void publish(SpecificRecord event);
}
