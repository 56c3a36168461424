package dev.imagejobs.gateway.testing;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
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
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds the lifecycle of one job as the services would write it: each event gets a fresh event
 * id and happens one second after the previous one, so timestamps in assertions are predictable.
 * Specs come from the schemas test-jar's {@link Events#anAssetKeySpec()}.
 */
public final class LifecycleEvents {
  public static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  private final String jobId;
  private final String tenantId;
  private final String traceparent = Traceparent.newRoot();
  private Instant clock;
  private int run;
  private int attempt;

  private LifecycleEvents(String jobId, String tenantId, Instant start) {
    this.jobId = jobId;
    this.tenantId = tenantId;
    this.clock = start;
  }

  /** A new job of {@code tenantId} with a random id, whose first event happens at {@link #T0}. */
  public static LifecycleEvents aJob(String tenantId) {
    return forJob(UUID.randomUUID().toString(), tenantId);
  }

  public static LifecycleEvents forJob(String jobId, String tenantId) {
    return new LifecycleEvents(jobId, tenantId, T0);
  }

  public String jobId() {
    return jobId;
  }

  /** When the last built event happened. */
  public Instant now() {
    return clock;
  }

  /** The time of the {@code n}-th event (1 = the first). */
  public static Instant timeOfEvent(int n) {
    return T0.plus(Duration.ofSeconds(n - 1L));
  }

  public JobRequested requested() {
    return requested(Events.anAssetKeySpec().build());
  }

  public JobRequested requested(JobSpec spec) {
    return JobRequested.newBuilder().setMetadata(metadata("gateway", true)).setSpec(spec).build();
  }

  public JobStarted started() {
    return JobStarted.newBuilder().setMetadata(metadata("generation")).build();
  }

  public GenerationStarted generationStarted(int attemptNumber) {
    attempt = attemptNumber;
    return GenerationStarted.newBuilder()
        .setMetadata(metadata("generation"))
        .setProvider("local")
        .setModel("local-v1")
        .build();
  }

  public GenerationAttemptFailed attemptFailed(String errorClass) {
    return GenerationAttemptFailed.newBuilder()
        .setMetadata(metadata("generation"))
        .setErrorClass(errorClass)
        .setErrorCode("503")
        .setMessage("provider unavailable")
        .setRetryDelayMillis(1000)
        .build();
  }

  public ImageGenerated imageGenerated(long actualCostMicros) {
    return ImageGenerated.newBuilder()
        .setMetadata(metadata("generation"))
        .setSpec(Events.anAssetKeySpec().build())
        .setStagedRef("staging/" + jobId + "/attempt-" + attempt + ".png")
        .setContentType("image/png")
        .setSizeBytes(1234)
        .setSha256("0".repeat(64))
        .setWidth(1024)
        .setHeight(576)
        .setProvider("local")
        .setModel("local-v1")
        .setActualCostMicros(actualCostMicros)
        .build();
  }

  public UploadStarted uploadStarted() {
    return UploadStarted.newBuilder().setMetadata(metadata("upload")).build();
  }

  public JobCompleted completed(String storagePath, String sha256, long sizeBytes) {
    return JobCompleted.newBuilder()
        .setMetadata(metadata("upload"))
        .setStoragePath(storagePath)
        .setObjectUri("file:///storage/asset-images/" + storagePath)
        .setContentType("image/png")
        .setSizeBytes(sizeBytes)
        .setWidth(1024)
        .setHeight(576)
        .setSha256(sha256)
        .build();
  }

  public JobFailed failed(String stage, String errorClass, String message) {
    return JobFailed.newBuilder()
        .setMetadata(metadata("generation"))
        .setFailureStage(stage)
        .setErrorClass(errorClass)
        .setErrorCode("400")
        .setMessage(message)
        .build();
  }

  /** The retry's request; the events after it belong to its run. */
  public JobRetryRequested retryRequested(int retryCount) {
    return retryRequested(retryCount, Events.anAssetKeySpec().build());
  }

  /** The retry's request with the job's {@code spec}; the events after it belong to its run. */
  public JobRetryRequested retryRequested(int retryCount, JobSpec spec) {
    run = retryCount;
    return JobRetryRequested.newBuilder()
        .setMetadata(metadata("gateway"))
        .setSpec(spec)
        .setRetryCount(retryCount)
        .build();
  }

  public JobCancelRequested cancelRequested() {
    return JobCancelRequested.newBuilder().setMetadata(metadata("gateway")).setReason("not needed").build();
  }

  public JobCanceled canceled(String stage) {
    return JobCanceled.newBuilder().setMetadata(metadata("generation")).setStage(stage).build();
  }

  /** Metadata of the next event, as if written by another tenant's service (a corrupt producer). */
  /** The gateway's choice of a stored variant, a PNG of 8x8. */
  public VariantSelected variantSelected(int variant, String storagePath, String jobStoragePath, String sha256) {
    return VariantSelected.newBuilder().setMetadata(metadata("gateway")).setVariant(variant)
        .setStoragePath(storagePath).setJobStoragePath(jobStoragePath).setContentType("image/png").setSizeBytes(10L)
        .setSha256(sha256).setWidth(8).setHeight(8).build();
  }

  public EventMetadata metadataOfTenant(String otherTenant) {
    EventMetadata metadata = metadata("generation");
    metadata.setTenantId(otherTenant);
    return metadata;
  }

  private EventMetadata metadata(String producer) {
    return metadata(producer, false);
  }

  private EventMetadata metadata(String producer, boolean first) {
    if (!first) {
      clock = clock.plusSeconds(1);
    }
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(jobId)
        .setTenantId(tenantId)
        .setOccurredAt(clock)
        .setProducer(producer)
        .setAttempt(attempt)
        .setTraceparent(Traceparent.childOf(traceparent))
        .setRun(run)
        .build();
  }
}
