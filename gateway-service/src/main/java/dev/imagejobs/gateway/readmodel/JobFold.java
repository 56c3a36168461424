package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.LifecycleFold;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.util.List;

/**
 * Folds one lifecycle event into a job row: the pure heart of the read model, so the row the
 * gateway writes at creation and the row a replay of the topic produces are the same by
 * construction. Which events apply and the status they lead to is {@link LifecycleFold}'s, the one
 * fold every part uses; this class records what each applied event changes in the row
 * ({@code JobFoldTest}).
 */
final class JobFold {

  private JobFold() {}

  /**
   * @param current the row before the event, or {@code null} for a job not seen yet
   */
  static FoldResult apply(JobRow current, LifecycleEvent event) {
    EventMetadata metadata = event.metadata();
    JobRow.Builder row = current == null ? new JobRow.Builder(metadata.getJobId()) : current.toBuilder();
    LifecycleFold.Outcome outcome = LifecycleFold.fold(current, event, new Changes(row, metadata));
    if (outcome instanceof LifecycleFold.Outcome.Rejected rejected) {
      return new FoldResult.Rejected(rejected.reason());
    }
    row.status = ((LifecycleFold.Outcome.Applied) outcome).after();
    row.updatedAt = metadata.getOccurredAt();
    row.lastEventSeq = row.lastEventSeq + 1;
    return new FoldResult.Applied(row.build());
  }

  /** What each event type changes besides the status. */
  private static final class Changes implements LifecycleEventHandler {
    private final JobRow.Builder row;
    private final EventMetadata metadata;

    Changes(JobRow.Builder row, EventMetadata metadata) {
      this.row = row;
      this.metadata = metadata;
    }

    @Override
    public void on(JobRequested event) {
      row.tenantId = Text.clean(metadata.getTenantId());
      spec(event.getSpec());
      row.createdAt = metadata.getOccurredAt();
    }

    @Override
    public void on(JobStarted event) {
      row.startedAt = metadata.getOccurredAt();
    }

    @Override
    public void on(GenerationStarted event) {
      row.attemptCount = metadata.getAttempt();
    }

    @Override
    public void on(ImageGenerated event) {
      row.actualCostMicros = event.getActualCostMicros();
      row.variants = event.getVariants().stream().map(variant -> JobVariant.of(variant, false)).toList();
    }

    @Override
    public void on(JobCompleted event) {
      row.storagePath = Text.clean(event.getStoragePath());
      row.objectUri = Text.clean(event.getObjectUri());
      row.contentType = Text.clean(event.getContentType());
      row.sizeBytes = event.getSizeBytes();
      row.width = event.getWidth();
      row.height = event.getHeight();
      row.sha256 = Text.clean(event.getSha256());
      row.completedAt = metadata.getOccurredAt();
      row.variants = event.getVariants().stream().map(variant -> JobVariant.of(variant, true)).toList();
    }

    /** The job's image becomes the chosen variant's ({@link JobRow#image}); its own path stays the job's. */
    @Override
    public void on(VariantSelected event) {
      row.selectedVariant = event.getVariant();
    }

    @Override
    public void on(JobFailed event) {
      row.failureStage = Text.clean(event.getFailureStage());
      row.errorClass = Text.clean(event.getErrorClass());
      row.errorCode = Text.clean(event.getErrorCode());
      row.errorMessage = Text.clean(event.getMessage());
      row.completedAt = metadata.getOccurredAt();
    }

    @Override
    public void on(JobRetryRequested event) {
      spec(event.getSpec());
      // The ending run's attempts and cost go to the totals; the new run starts from none.
      row.earlierAttempts += row.attemptCount;
      row.earlierCostMicros += row.actualCostMicros == null ? 0 : row.actualCostMicros;
      row.attemptCount = 0;
      row.actualCostMicros = null;
      row.retryCount = event.getRetryCount();
      // A cancel asked of an earlier run does not concern this one.
      row.cancelRequested = false;
      row.failureStage = null;
      row.errorClass = null;
      row.errorCode = null;
      row.errorMessage = null;
      // The job is live again: it has no terminal time until its next terminal event.
      row.completedAt = null;
      row.variants = List.of();
      row.selectedVariant = null;
    }

    @Override
    public void on(JobCancelRequested event) {
      row.cancelRequested = true;
    }

    @Override
    public void on(JobCanceled event) {
      row.completedAt = metadata.getOccurredAt();
    }

    private void spec(JobSpec spec) {
      row.jobType = spec.getJobType().name();
      row.projectId = Text.clean(spec.getProjectId());
      row.branchId = Text.clean(spec.getBranchId());
      row.sceneId = Text.clean(spec.getSceneId());
      row.shotId = Text.clean(spec.getShotId());
      row.assetId = Text.clean(spec.getAssetId());
      row.prompt = Text.clean(spec.getPrompt());
      row.styleCapsuleId = Text.clean(spec.getStyleCapsuleId());
      row.styleText = Text.clean(spec.getStyleText());
      row.styleCapsuleVersion = spec.getStyleCapsuleVersion();
      row.aspectRatio = Text.clean(spec.getAspectRatio());
      row.imageSize = Text.clean(spec.getImageSize());
      row.provider = Text.clean(spec.getProvider());
      row.model = Text.clean(spec.getModel());
      row.estimatedCostMicros = spec.getEstimatedCostMicros();
      row.priority = Priority.of(spec.getPriority());
      row.batchId = Text.clean(spec.getBatchId());
      row.references = spec.getReferences().stream().map(JobReference::of).toList();
      row.edit = JobEdit.of(spec.getEdit());
      row.variantCount = spec.getVariants();
    }
  }
}
