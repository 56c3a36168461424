package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.time.Clock;
import java.util.UUID;

/**
 * Creates the metadata of the events one service writes, stamped with its name and clock.
 *
 * @param producer the service name written into every event ({@code ce_source})
 * @param clock the clock of {@code occurredAt}
 */
public record EventMetadataFactory(String producer, Clock clock) {

  /** Metadata of a new job's first event. */
  public EventMetadata first(String jobId, String tenantId, String traceparent) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(jobId)
        .setTenantId(tenantId)
        .setOccurredAt(clock.instant())
        .setProducer(producer)
        .setAttempt(0)
        .setTraceparent(Traceparent.childOf(traceparent))
        .build();
  }

  /** Metadata of an event that follows {@code cause}, in the same job and trace. */
  public EventMetadata following(EventMetadata cause, int attempt) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(cause.getJobId())
        .setTenantId(cause.getTenantId())
        .setOccurredAt(clock.instant())
        .setProducer(producer)
        .setAttempt(attempt)
        .setTraceparent(Traceparent.childOf(cause.getTraceparent()))
        .build();
  }
}
