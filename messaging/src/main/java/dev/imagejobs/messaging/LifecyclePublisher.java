package dev.imagejobs.messaging;

import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Publishes lifecycle events to the lifecycle topic, keyed by job id. The events of one job reach
 * the topic in the order they were sent (one partition per job, idempotent producer).
 */
public interface LifecyclePublisher {

  /**
   * Sends the event without waiting for the broker.
   *
   * @return completes once the broker acknowledged the event, or fails with an
   *     {@link EventPublishingException} when it did not
   */
  CompletableFuture<Void> send(SpecificRecord event);
}
