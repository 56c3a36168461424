package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleFold;
import java.time.Instant;
import java.util.List;

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
          styleText, styleCapsuleVersion, aspectRatio, imageSize, provider, model, priority, batchId, references, edit, status, attemptCount, earlierAttempts,
          retryCount, cancelRequested, failureStage, errorClass, errorCode, errorMessage, estimatedCostMicros,
          actualCostMicros, earlierCostMicros, storagePath, objectUri, contentType, sizeBytes, width, height, sha256,
          createdAt, startedAt, completedAt, updatedAt, lastEventSeq);
    }
  }
}
