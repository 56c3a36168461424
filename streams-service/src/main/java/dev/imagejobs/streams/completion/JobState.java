package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleFold;
import dev.imagejobs.schemas.avro.JobSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the topology knows about one job, folded from its lifecycle events by {@link JobFold}:
 * everything an {@code ImageJobCompleted} summary needs, so the summary never looks anything up.
 *
 * @param jobId the job id, also the store key
 * @param tenantId the tenant that owns the job
 * @param spec what was asked, from {@code JobRequested} and refreshed by later events that carry it
 * @param status the status after the last applied event
 * @param attempts provider attempts of the current run
 * @param retries manual retries so far
 * @param createdAt when the job was requested
 * @param startedAt when the current run was started, {@code null} before
 * @param lastTransitionAt {@code occurredAt} of the last applied event
 * @param completedAt when the job completed, {@code null} before
 * @param actualCostMicros the provider's actual cost of the generated image
 * @param provider the provider that generated (or is generating) the image
 * @param model the provider model
 * @param image where the stored image is and what it is, {@code null} before completion
 * @param completedEventId the event id of the applied {@code JobCompleted}, {@code null} before
 * @param traceparent the trace context of the last applied event
 * @param recentEventIds the ids of the last applied events, oldest first, to skip redelivered ones
 */
record JobState(
    String jobId,
    String tenantId,
    JobSpec spec,
    JobStatus status,
    int attempts,
    int retries,
    Instant createdAt,
    Instant startedAt,
    Instant lastTransitionAt,
    Instant completedAt,
    long actualCostMicros,
    String provider,
    String model,
    StoredImage image,
    String completedEventId,
    String traceparent,
    List<String> recentEventIds) implements LifecycleFold.Job {

  /** How many event ids a state remembers: more than one run of a job ever writes. */
  static final int RECENT_EVENT_IDS = 32;

  JobState {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastTransitionAt, "lastTransitionAt");
    recentEventIds = List.copyOf(recentEventIds);
  }

  /** The run the job is on: 0, or its latest retry's count. */
  @Override
  public int run() {
    return retries;
  }

  boolean hasApplied(String eventId) {
    return recentEventIds.contains(eventId);
  }

  /** The id of the last applied event. */
  String lastEventId() {
    return recentEventIds.get(recentEventIds.size() - 1);
  }

  Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The stored image as {@code JobCompleted} described it.
   *
   * @param storagePath path of the object inside its bucket
   * @param objectUri full URI of the object
   * @param contentType MIME type
   * @param sizeBytes size in bytes
   * @param width width in pixels
   * @param height height in pixels
   * @param sha256 lower-case hex SHA-256 of the bytes
   */
  record StoredImage(
      String storagePath, String objectUri, String contentType, long sizeBytes, int width, int height, String sha256) {

    StoredImage {
      Objects.requireNonNull(storagePath, "storagePath");
      Objects.requireNonNull(objectUri, "objectUri");
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /** A mutable copy that the fold changes event by event. */
  static final class Builder {
    String jobId;
    String tenantId;
    JobSpec spec;
    JobStatus status;
    int attempts;
    int retries;
    Instant createdAt;
    Instant startedAt;
    Instant lastTransitionAt;
    Instant completedAt;
    long actualCostMicros;
    String provider;
    String model;
    StoredImage image;
    String completedEventId;
    String traceparent;
    List<String> recentEventIds = List.of();

    Builder(String jobId) {
      this.jobId = jobId;
    }

    private Builder(JobState state) {
      jobId = state.jobId;
      tenantId = state.tenantId;
      spec = state.spec;
      status = state.status;
      attempts = state.attempts;
      retries = state.retries;
      createdAt = state.createdAt;
      startedAt = state.startedAt;
      lastTransitionAt = state.lastTransitionAt;
      completedAt = state.completedAt;
      actualCostMicros = state.actualCostMicros;
      provider = state.provider;
      model = state.model;
      image = state.image;
      completedEventId = state.completedEventId;
      traceparent = state.traceparent;
      recentEventIds = state.recentEventIds;
    }

    /** Remembers {@code eventId}, forgetting the oldest beyond {@link #RECENT_EVENT_IDS}. */
    Builder remember(String eventId) {
      int from = Math.max(0, recentEventIds.size() + 1 - RECENT_EVENT_IDS);
      ArrayList<String> ids = new ArrayList<>(recentEventIds.subList(from, recentEventIds.size()));
      ids.add(eventId);
      recentEventIds = ids;
      return this;
    }

    JobState build() {
      return new JobState(
          jobId, tenantId, spec, status, attempts, retries, createdAt, startedAt, lastTransitionAt,
          completedAt, actualCostMicros, provider, model, image, completedEventId, traceparent, recentEventIds);
    }
  }
}
