package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.DeadLetters;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecycleDispatcher;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.RecordHandler;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the generation service does with a lifecycle record: a {@code JobRequested} or
 * {@code JobRetryRequested} starts a run once the job's earlier runs are over, so a job's own events
 * stay in order; a {@code JobCancelRequested} is recorded at once, where a run in flight sees it;
 * other types are skipped on their {@code ce_type} header and unreadable records are dead-lettered
 * ({@link LifecycleDispatcher}). The returned future completes when the record is done with, so its
 * offset may be committed; it never fails except when the service stops.
 *
 * <p>A run whose events could not be published (the broker was unreachable) is run again after a
 * pause: that is safe, since event ids derive from the starting event and a staged image is reused
 * rather than paid for again. After {@code maxRedeliveries} the record is dead-lettered.
 */
class JobDispatcher implements RecordHandler {
  private final LifecycleDispatcher dispatcher;

  JobDispatcher(LifecycleRecords records, JobRunner runner, DeadLetters deadLetters, Executor work,
      int maxRedeliveries, Duration redeliveryDelay, JobTracing tracing) {
    this.dispatcher = LifecycleDispatcher.builder(records, deadLetters, work)
        .inJobOrder(JobRequested.class, requested -> runner.run(JobRun.of(requested)))
        .inJobOrder(JobRetryRequested.class, retry -> runner.run(JobRun.of(retry)))
        .atOnce(JobCancelRequested.class, cancel -> CompletableFuture.runAsync(() -> runner.cancel(cancel), work))
        .redeliveries(maxRedeliveries, redeliveryDelay)
        .tracing(tracing)
        .build();
  }

  @Override
  public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) {
    return dispatcher.handle(record);
  }
}
