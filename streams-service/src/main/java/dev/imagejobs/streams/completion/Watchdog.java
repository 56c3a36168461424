package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.JobFailed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Decides when a job has stayed too long in its status and writes the {@code JobFailed} that ends
 * it. A stuck job is one whose owner died or lost the job; failing it lets the client retry.
 *
 * <p>A queued job waiting its turn is not stuck: generation ranks waiting jobs by priority, so a job
 * may wait behind others for longer than the queued deadline while jobs keep starting. A queued job
 * is stuck only when it has waited longer than the deadline <em>and</em> generation has started no job
 * of its partition for as long (generation down, stalled, or not reading the partition).
 */
final class Watchdog {

  /** {@code producer} of the events the watchdog writes ({@code ce_source /image-jobs/watchdog}). */
  static final String PRODUCER = "watchdog";
  static final String ERROR_CLASS = "TIMEOUT";
  static final String ERROR_CODE = "DEADLINE_EXCEEDED";

  private Watchdog() {}

  /**
   * @param since wall-clock time at which the topology saw the job enter its status
   * @param lastStart wall-clock time at which generation last started a job of the same partition
   * @param now the current wall-clock time
   */
  static boolean isOverdue(JobState state, Instant since, Instant lastStart, Instant now, StreamsSettings settings) {
    if (state.status().isTerminal()) {
      return false;
    }
    Duration deadline = settings.deadline(state.status());
    boolean waitedTooLong = Duration.between(since, now).compareTo(deadline) > 0;
    if (state.status() == JobStatus.QUEUED) {
      return waitedTooLong && Duration.between(lastStart, now).compareTo(deadline) > 0;
    }
    return waitedTooLong;
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
            + (state.status() == JobStatus.QUEUED ? ", and no job of its partition started meanwhile," : "")
            + " (last event at " + state.lastTransitionAt() + "); failed by the watchdog")
        .build();
  }
}
