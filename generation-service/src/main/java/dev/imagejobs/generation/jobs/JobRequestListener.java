package dev.imagejobs.generation.jobs;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads the lifecycle topic as raw bytes, a batch of at most {@code max-in-flight} records per
 * poll, and hands each batch to the {@link JobDispatcher}. The batch's offsets are committed when
 * the listener returns, that is after every job outcome in it was acknowledged.
 */
@Component
class JobRequestListener {
  private final JobDispatcher dispatcher;

  JobRequestListener(JobDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  // The group id comes from spring.kafka.consumer.group-id (image-jobs-generation), not from the listener id.
  @KafkaListener(id = "generation", idIsGroup = false, batch = "true",
      topics = "#{T(dev.imagejobs.schemas.Topics).LIFECYCLE.name()}",
      properties = "max.poll.records=${imagejobs.generation.max-in-flight}")
  void on(List<ConsumerRecord<byte[], byte[]>> batch) {
    dispatcher.dispatch(batch);
  }
}
