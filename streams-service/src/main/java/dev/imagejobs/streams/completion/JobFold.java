package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.LifecycleFold;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;

/**
 * Folds one lifecycle event into a job's state. Pure: a redelivered event or a second completion is
 * a duplicate (the state remembers the event ids it applied); which events apply and the status
 * they lead to is {@link LifecycleFold}'s, the one fold every part uses; this class records what
 * each applied event changes in the state ({@code JobFoldTest}).
 */
final class JobFold {

  private JobFold() {}

  /**
   * @param current the state before the event, or {@code null} for a job not seen yet
   */
  static FoldResult apply(JobState current, LifecycleEvent event) {
    EventMetadata metadata = event.metadata();
    if (current != null && current.hasApplied(metadata.getEventId())) {
      return new FoldResult.Duplicate("event " + metadata.getEventId() + " was applied before");
    }
    if (current != null && current.status() == JobStatus.COMPLETED && event.type() == EventType.JOB_COMPLETED) {
      return new FoldResult.Duplicate("job was already completed by event " + current.completedEventId());
    }
    JobState.Builder state = current == null ? new JobState.Builder(metadata.getJobId()) : current.toBuilder();
    LifecycleFold.Outcome outcome = LifecycleFold.fold(current, event, new Changes(state, metadata));
    if (outcome instanceof LifecycleFold.Outcome.Rejected rejected) {
      return new FoldResult.Rejected(rejected.reason());
    }
    state.status = ((LifecycleFold.Outcome.Applied) outcome).after();
    state.lastTransitionAt = metadata.getOccurredAt();
    if (metadata.getTraceparent() != null) {
      state.traceparent = metadata.getTraceparent();
    }
    state.remember(metadata.getEventId());
    return new FoldResult.Applied(current, state.build());
  }

  /** What each event type changes besides the status. */
  private static final class Changes implements LifecycleEventHandler {
    private final JobState.Builder state;
    private final EventMetadata metadata;

    Changes(JobState.Builder state, EventMetadata metadata) {
      this.state = state;
      this.metadata = metadata;
    }

    @Override
    public void on(JobRequested event) {
      state.tenantId = metadata.getTenantId();
      state.createdAt = metadata.getOccurredAt();
      run(event.getSpec());
    }

    @Override
    public void on(JobStarted event) {
      state.startedAt = metadata.getOccurredAt();
    }

    @Override
    public void on(GenerationStarted event) {
      state.attempts = metadata.getAttempt();
      state.provider = event.getProvider();
      state.model = event.getModel();
    }

    @Override
    public void on(ImageGenerated event) {
      state.spec = event.getSpec();
      state.attempts = Math.max(state.attempts, metadata.getAttempt());
      state.provider = event.getProvider();
      state.model = event.getModel();
      state.actualCostMicros = event.getActualCostMicros();
    }

    @Override
    public void on(JobCompleted event) {
      state.image = new JobState.StoredImage(
          event.getStoragePath(),
          event.getObjectUri(),
          event.getContentType(),
          event.getSizeBytes(),
          event.getWidth(),
          event.getHeight(),
          event.getSha256());
      state.completedAt = metadata.getOccurredAt();
      state.completedEventId = metadata.getEventId();
    }

    @Override
    public void on(JobRetryRequested event) {
      state.retries = event.getRetryCount();
      run(event.getSpec());
    }

    /** A new run starts from the spec: nothing of an earlier run's attempts or cost carries over. */
    private void run(JobSpec spec) {
      state.spec = spec;
      state.provider = spec.getProvider();
      state.model = spec.getModel();
      state.attempts = 0;
      state.startedAt = null;
      state.actualCostMicros = 0;
    }
  }
}
