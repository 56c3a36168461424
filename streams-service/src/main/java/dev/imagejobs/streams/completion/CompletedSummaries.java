package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobSpec;
import java.util.UUID;
import org.apache.kafka.common.header.Headers;

/**
 * Builds the public {@code ImageJobCompleted} summary of a completed job from its folded state
 * alone, and the CloudEvents headers it travels with.
 */
final class CompletedSummaries {

  /** The producer of every summary ({@code ce_source /image-jobs/streams}). */
  static final String PRODUCER = "streams";

  /** {@code ce_type} of every summary: the public record, outside the lifecycle namespace. */
  static final String TYPE = "dev.imagejobs.completed." + ImageJobCompleted.getClassSchema().getName();

  private CompletedSummaries() {}

  /**
   * @throws IllegalStateException when the state is not that of a completed job
   */
  static ImageJobCompleted of(JobState state) {
    JobState.StoredImage image = state.image();
    if (image == null || state.completedAt() == null || state.completedEventId() == null) {
      throw new IllegalStateException("Job " + state.jobId() + " has no completion to summarise");
    }
    JobSpec spec = state.spec();
    return ImageJobCompleted.newBuilder()
        .setJobId(state.jobId())
        .setCompletedEventId(state.completedEventId())
        .setTenantId(state.tenantId())
        .setJobType(spec.getJobType())
        .setProjectId(spec.getProjectId())
        .setBranchId(spec.getBranchId())
        .setSceneId(spec.getSceneId())
        .setShotId(spec.getShotId())
        .setAssetId(spec.getAssetId())
        .setPrompt(spec.getPrompt())
        .setStyleCapsuleId(spec.getStyleCapsuleId())
        .setAspectRatio(spec.getAspectRatio())
        .setImageSize(spec.getImageSize())
        .setBatchId(spec.getBatchId())
        .setEditedStoragePath(spec.getEdit() == null ? null : spec.getEdit().getSource().getStoragePath())
        .setStoragePath(image.storagePath())
        .setObjectUri(image.objectUri())
        .setContentType(image.contentType())
        .setSizeBytes(image.sizeBytes())
        .setWidth(image.width())
        .setHeight(image.height())
        .setSha256(image.sha256())
        .setEstimatedCostMicros(spec.getEstimatedCostMicros())
        .setActualCostMicros(state.actualCostMicros())
        .setProvider(state.provider() != null ? state.provider() : spec.getProvider())
        .setModel(state.model() != null ? state.model() : spec.getModel())
        .setAttempts(state.attempts())
        .setRetries(state.retries())
        .setCreatedAt(state.createdAt())
        .setStartedAt(state.startedAt())
        .setCompletedAt(state.completedAt())
        // A span of its own in the trace of the request, as every lifecycle event has.
        .setTraceparent(Traceparent.childOf(state.traceparent()))
        .build();
  }

  /** CloudEvents binary-mode headers of {@code summary}, with a new event id. */
  static Headers headers(ImageJobCompleted summary) {
    return CloudEventHeaders.of(UUID.randomUUID().toString(), PRODUCER, TYPE, summary.getCompletedAt(),
        summary.getJobId());
  }
}
