package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads the lifecycle topic as raw bytes and runs jobs on {@code JobRequested} and
 * {@code JobRetryRequested}; other types are skipped on their {@code ce_type} header. The offset is
 * committed after the job's outcome event was acknowledged.
 */
@Component
class JobRequestListener {
  private static final Set<EventType> STARTS_A_RUN = Set.of(EventType.JOB_REQUESTED, EventType.JOB_RETRY_REQUESTED);

  private final LifecycleRecords records;
  private final JobRunner runner;

  JobRequestListener(LifecycleRecords records, JobRunner runner) {
    this.records = records;
    this.runner = runner;
  }

  // The group id comes from spring.kafka.consumer.group-id (image-jobs-generation).
  @KafkaListener(id = "generation", idIsGroup = false, topics = "#{T(dev.imagejobs.schemas.Topics).LIFECYCLE.name()}")
  void on(ConsumerRecord<byte[], byte[]> record) {
    records.decodeIfWanted(record, STARTS_A_RUN).ifPresent(event -> event.dispatchTo(new LifecycleEventHandler() {
      @Override
      public void on(JobRequested requested) {
        runner.run(requested.getMetadata(), requested.getSpec());
      }

      @Override
      public void on(JobRetryRequested retry) {
        runner.run(retry.getMetadata(), retry.getSpec());
      }
    }));
  }
}
