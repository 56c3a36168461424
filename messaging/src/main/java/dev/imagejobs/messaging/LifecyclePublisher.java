package dev.imagejobs.messaging;

import org.apache.avro.specific.SpecificRecord;

/** Publishes lifecycle events to the lifecycle topic, keyed by job id. */
public interface LifecyclePublisher {

  /**
   * Sends the event and returns once the broker acknowledged it.
   *
   * @throws EventPublishingException when the broker did not acknowledge it
   */
  void publish(SpecificRecord event);
}
