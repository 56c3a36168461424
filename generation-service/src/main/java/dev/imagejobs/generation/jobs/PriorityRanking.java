package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.RecordRanking;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * How generation ranks what it reads ahead: a run's request waits for a slot at its job's priority
 * (high first, then normal, then low; a priority this build does not know counts as normal), a
 * cancel request is handled at once and hurries its job's waiting run (which then ends without a
 * provider call instead of waiting its turn), and every other record is handled at once.
 */
final class PriorityRanking implements RecordRanking {
  /** High, normal, low. */
  static final int LEVELS = 3;

  private static final Set<EventType> RANKED =
      Set.of(EventType.JOB_REQUESTED, EventType.JOB_RETRY_REQUESTED, EventType.JOB_CANCEL_REQUESTED);

  private final LifecycleRecords records;

  PriorityRanking(LifecycleRecords records) {
    this.records = records;
  }

  @Override
  public Placement place(ConsumerRecord<byte[], byte[]> record) {
    Optional<LifecycleEvent> event = records.decodeIfWanted(record, RANKED);
    if (event.isEmpty()) {
      return Placement.atOnce();
    }
    Object payload = event.get().payload();
    if (payload instanceof JobRequested requested) {
      return Placement.waits(level(requested.getSpec().getPriority()));
    }
    if (payload instanceof JobRetryRequested retry) {
      return Placement.waits(level(retry.getSpec().getPriority()));
    }
    return Placement.atOnceHurryingItsJob();
  }

  static int level(JobPriority priority) {
    return switch (priority) {
      case HIGH -> 0;
      case LOW -> 2;
      case NORMAL, UNKNOWN -> 1;
    };
  }
}
