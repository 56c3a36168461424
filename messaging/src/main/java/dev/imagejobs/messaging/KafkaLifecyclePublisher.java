package dev.imagejobs.messaging;

import dev.imagejobs.schemas.LifecycleEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Sends lifecycle events to {@link Topics#LIFECYCLE} keyed by job id; the returned future completes
 * on the producer's I/O thread when the broker acknowledged the event (at most the producer's
 * {@code delivery.timeout.ms} later), so callers go on with anything heavier on their own threads.
 */
class KafkaLifecyclePublisher implements LifecyclePublisher {

  private final KafkaTemplate<String, SpecificRecord> template;
  private final String topic;
  private final JobTracing tracing;

  /** @param topic the lifecycle topic's name in this deployment */
  KafkaLifecyclePublisher(KafkaTemplate<String, SpecificRecord> template, String topic, JobTracing tracing) {
    this.template = template;
    this.topic = topic;
    this.tracing = tracing;
  }

  @Override
  public CompletableFuture<Void> send(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    try {
      // The send's span is a child of the job's span in this service.
      tracing.scoped(lifecycleEvent.jobId(), () -> template.send(topic, lifecycleEvent.jobId(), event))
          .whenComplete((result, failure) -> {
        if (failure == null) {
          acknowledged.complete(null);
        } else {
          acknowledged.completeExceptionally(failed(lifecycleEvent, failure));
        }
      });
    } catch (RuntimeException e) {
      // Serialization errors, or no metadata for the topic within max.block.ms.
      acknowledged.completeExceptionally(failed(lifecycleEvent, e));
    }
    return acknowledged;
  }

  private static EventPublishingException failed(LifecycleEvent event, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return new EventPublishingException(
        "Cannot publish " + event.type().simpleName() + " of job " + event.jobId(), cause);
  }
}
