package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

/**
 * Creates the metadata of the events one service writes, stamped with its name and clock.
 *
 * @param producer the service name written into every event ({@code ce_source})
 * @param clock the clock of {@code occurredAt}
 */
public record EventMetadataFactory(String producer, Clock clock) {

  /**
   * Metadata of the first event of a job's run, written by the gateway: {@code JobRequested}
   * (run 0), {@code JobRetryRequested} (the retry's run) or a command on the current run.
   */
  public EventMetadata first(String jobId, String tenantId, int run, String traceparent) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(jobId)
        .setTenantId(tenantId)
        .setOccurredAt(clock.instant())
        .setProducer(producer)
        .setAttempt(0)
        .setTraceparent(Traceparent.orNewRoot(traceparent))
        .setRun(run)
        .build();
  }

  /** Metadata of an event that follows {@code cause}, in the same job, run and trace. */
  public EventMetadata following(EventMetadata cause, int attempt) {
    return following(cause, attempt, UUID.randomUUID().toString());
  }

  /**
   * Metadata of the {@code type} event this producer writes in reaction to {@code cause}, with an
   * event id derived from the cause's id, the producer, the type and the attempt. A redelivered cause
   * therefore yields events with the same ids, which every consumer drops as duplicates.
   */
  public EventMetadata reacting(EventMetadata cause, EventType type, int attempt) {
    String name = cause.getEventId() + "/" + producer + "/" + type.simpleName() + "/" + attempt;
    return following(cause, attempt, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
  }

  private EventMetadata following(EventMetadata cause, int attempt, String eventId) {
    return EventMetadata.newBuilder()
        .setEventId(eventId)
        .setJobId(cause.getJobId())
        .setTenantId(cause.getTenantId())
        .setOccurredAt(clock.instant())
        .setProducer(producer)
        .setAttempt(attempt)
        .setTraceparent(Traceparent.childOf(cause.getTraceparent()))
        .setRun(cause.getRun())
        .build();
  }
}
