package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.JobFailed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Decides when a job has stayed too long in its status and writes the {@code JobFailed} that ends
 * it. A stuck job is one whose owner died or lost the job; failing it lets the client retry.
 */
final class Watchdog {

  /** {@code producer} of the events the watchdog writes ({@code ce_source /image-jobs/watchdog}). */
  static final String PRODUCER = "watchdog";
  static final String ERROR_CLASS = "TIMEOUT";
  static final String ERROR_CODE = "DEADLINE_EXCEEDED";

  private Watchdog() {}

  /**
   * @param since wall-clock time at which the topology saw the job enter its status
   * @param now the current wall-clock time
   */
  static boolean isOverdue(JobState state, Instant since, Instant now, StreamsSettings settings) {
    return !state.status().isTerminal()
        && Duration.between(since, now).compareTo(settings.deadline(state.status())) > 0;
  }

  /** The failure of a job that exceeded the deadline of its status, following its last event. */
  static JobFailed timeout(JobState state, Duration deadline, Instant now) {
    EventMetadataFactory metadata = new EventMetadataFactory(PRODUCER, Clock.fixed(now, ZoneOffset.UTC));
    EventMetadata lastEvent = EventMetadata.newBuilder()
        .setEventId(state.lastEventId())
        .setJobId(state.jobId())
        .setTenantId(state.tenantId())
        .setOccurredAt(state.lastTransitionAt())
        .setProducer(PRODUCER)
        .setAttempt(state.attempts())
        .setTraceparent(state.traceparent())
        .setRun(state.retries())
        .build();
    String status = state.status().wireName();
    return JobFailed.newBuilder()
        .setMetadata(metadata.following(lastEvent, state.attempts()))
        .setFailureStage(status)
        .setErrorClass(ERROR_CLASS)
        .setErrorCode(ERROR_CODE)
        .setMessage("Job stayed in status " + status + " longer than its deadline of " + deadline
            + " (last event at " + state.lastTransitionAt() + "); failed by the watchdog")
        .build();
  }
}
