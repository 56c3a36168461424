package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleFold;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One row of the {@code jobs} read model: what was asked, where the job stands, and the result.
 * Built only by {@link JobFold} from lifecycle events.
 */
public record JobRow(
    String jobId,
    String tenantId,
    String jobType,
    String projectId,
    String branchId,
    String sceneId,
    String shotId,
    String assetId,
    String prompt,
    String styleCapsuleId,
    String styleText,
    Integer styleCapsuleVersion,
    String aspectRatio,
    String imageSize,
    String provider,
    String model,
    Priority priority,
    String batchId,
    List<JobReference> references,
    JobEdit edit,
    int variantCount,
    List<JobVariant> variants,
    Integer selectedVariant,
    JobStatus status,
    int attemptCount,
    int earlierAttempts,
    int retryCount,
    boolean cancelRequested,
    String failureStage,
    String errorClass,
    String errorCode,
    String errorMessage,
    long estimatedCostMicros,
    Long actualCostMicros,
    long earlierCostMicros,
    String storagePath,
    String objectUri,
    String contentType,
    Long sizeBytes,
    Integer width,
    Integer height,
    String sha256,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    Instant updatedAt,
    int lastEventSeq) implements LifecycleFold.Job {

  /** Snapshots stored before priorities existed have none: those jobs are normal. */
  public JobRow {
    priority = priority == null ? Priority.NORMAL : priority;
    // Snapshots stored before reference images existed have none.
    references = references == null ? List.of() : List.copyOf(references);
    // Snapshots stored before variations existed: one image, none listed.
    variantCount = Math.max(1, variantCount);
    variants = variants == null ? List.of() : List.copyOf(variants);
  }

  /**
   * The job's image, once completed: for a job of several variants the chosen variant's own object,
   * else its first stored one (never the job's path, whose bytes a selection replaces, so a digest
   * taken from it could stop matching); for a job of one image its path. Empty before completion.
   */
  public Optional<StoredImage> image() {
    if (status != JobStatus.COMPLETED || storagePath == null) {
      return Optional.empty();
    }
    if (variants.isEmpty()) {
      return Optional.of(new StoredImage(storagePath, objectUri, contentType, sizeBytes, width, height, sha256));
    }
    Optional<JobVariant> shown = selectedVariant != null ? variant(selectedVariant)
        : variants.stream().filter(JobVariant::isStored).findFirst();
    return shown.filter(JobVariant::isStored).map(variant -> new StoredImage(variant.storagePath(),
        objectUri != null && objectUri.endsWith(storagePath)
            ? objectUri.substring(0, objectUri.length() - storagePath.length()) + variant.storagePath()
            : null,
        variant.contentType(), variant.sizeBytes(), variant.width(), variant.height(), variant.sha256()));
  }

  /**
   * Where an image of a job is and what it is.
   *
   * @param objectUri its URI in the store, null when not known
   */
  public record StoredImage(String storagePath, String objectUri, String contentType, Long sizeBytes, Integer width,
      Integer height, String sha256) {}

  /** Its variant {@code number}, when the job lists it. */
  public Optional<JobVariant> variant(int number) {
    return variants.stream().filter(variant -> variant.variant() == number).findFirst();
  }

  /** The run the job is on: 0, or its latest retry's count. */
  @Override
  public int run() {
    return retryCount;
  }

  /** Provider attempts across every run of the job: the earlier runs' and the current run's. */
  public int totalAttempts() {
    return earlierAttempts + attemptCount;
  }

  /** What every run of the job cost, or {@code null} while no run has reported a cost. */
  public Long totalCostMicros() {
    return actualCostMicros == null && earlierCostMicros == 0 ? null
        : earlierCostMicros + (actualCostMicros == null ? 0 : actualCostMicros);
  }

  Builder toBuilder() {
    return new Builder(this);
  }

  /** Mutable copy of a row that the fold changes event by event. */
  static final class Builder {
    String jobId;
    String tenantId;
    String jobType;
    String projectId;
    String branchId;
    String sceneId;
    String shotId;
    String assetId;
    String prompt;
    String styleCapsuleId;
    String styleText;
    Integer styleCapsuleVersion;
    String aspectRatio;
    String imageSize;
    String provider;
    String model;
    Priority priority;
    String batchId;
    List<JobReference> references;
    JobEdit edit;
    int variantCount;
    List<JobVariant> variants;
    Integer selectedVariant;
    JobStatus status;
    int attemptCount;
    int earlierAttempts;
    int retryCount;
    boolean cancelRequested;
    String failureStage;
    String errorClass;
    String errorCode;
    String errorMessage;
    long estimatedCostMicros;
    Long actualCostMicros;
    long earlierCostMicros;
    String storagePath;
    String objectUri;
    String contentType;
    Long sizeBytes;
    Integer width;
    Integer height;
    String sha256;
    Instant createdAt;
    Instant startedAt;
    Instant completedAt;
    Instant updatedAt;
    int lastEventSeq;

    Builder(String jobId) {
      this.jobId = jobId;
    }

    Builder(JobRow row) {
      jobId = row.jobId;
      tenantId = row.tenantId;
      jobType = row.jobType;
      projectId = row.projectId;
      branchId = row.branchId;
      sceneId = row.sceneId;
      shotId = row.shotId;
      assetId = row.assetId;
      prompt = row.prompt;
      styleCapsuleId = row.styleCapsuleId;
      styleText = row.styleText;
      styleCapsuleVersion = row.styleCapsuleVersion;
      aspectRatio = row.aspectRatio;
      imageSize = row.imageSize;
      provider = row.provider;
      model = row.model;
      priority = row.priority;
      batchId = row.batchId;
      references = row.references;
      edit = row.edit;
      variantCount = row.variantCount;
      variants = row.variants;
      selectedVariant = row.selectedVariant;
      status = row.status;
      attemptCount = row.attemptCount;
      earlierAttempts = row.earlierAttempts;
      retryCount = row.retryCount;
      cancelRequested = row.cancelRequested;
      failureStage = row.failureStage;
      errorClass = row.errorClass;
      errorCode = row.errorCode;
      errorMessage = row.errorMessage;
      estimatedCostMicros = row.estimatedCostMicros;
      actualCostMicros = row.actualCostMicros;
      earlierCostMicros = row.earlierCostMicros;
      storagePath = row.storagePath;
      objectUri = row.objectUri;
      contentType = row.contentType;
      sizeBytes = row.sizeBytes;
      width = row.width;
      height = row.height;
      sha256 = row.sha256;
      createdAt = row.createdAt;
      startedAt = row.startedAt;
      completedAt = row.completedAt;
      updatedAt = row.updatedAt;
      lastEventSeq = row.lastEventSeq;
    }

    JobRow build() {
      return new JobRow(
          jobId, tenantId, jobType, projectId, branchId, sceneId, shotId, assetId, prompt, styleCapsuleId,
          styleText, styleCapsuleVersion, aspectRatio, imageSize, provider, model, priority, batchId, references, edit, variantCount, variants,
          selectedVariant, status, attemptCount, earlierAttempts,
          retryCount, cancelRequested, failureStage, errorClass, errorCode, errorMessage, estimatedCostMicros,
          actualCostMicros, earlierCostMicros, storagePath, objectUri, contentType, sizeBytes, width, height, sha256,
          createdAt, startedAt, completedAt, updatedAt, lastEventSeq);
    }
  }
}
