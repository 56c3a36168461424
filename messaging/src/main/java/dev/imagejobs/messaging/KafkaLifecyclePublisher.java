package dev.imagejobs.messaging;

import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Sends lifecycle events to {@link Topics#LIFECYCLE} keyed by job id and waits for the broker's
 * acknowledgement (bounded by the producer's {@code delivery.timeout.ms}).
 */
class KafkaLifecyclePublisher implements LifecyclePublisher {

  private final KafkaTemplate<String, SpecificRecord> template;

  KafkaLifecyclePublisher(KafkaTemplate<String, SpecificRecord> template) {
    this.template = template;
  }

  @Override
  public void publish(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    String description = lifecycleEvent.type().simpleName() + " of job " + lifecycleEvent.jobId();
    try {
      template.send(Topics.LIFECYCLE.name(), lifecycleEvent.jobId(), event).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventPublishingException("Interrupted while publishing " + description, e);
    } catch (ExecutionException e) {
      throw new EventPublishingException("Cannot publish " + description, e.getCause());
    }
  }
}
