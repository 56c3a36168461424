package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds the lifecycle events of one job in order, one second apart, in one trace, with every
 * optional field of the spec filled so a summary built from them has no gaps.
 */
final class JobLifecycle {
  static final Instant REQUESTED_AT = Instant.parse("2026-11-24T10:15:30.123Z");

  private final String jobId;
  private final String traceparent = Traceparent.newRoot();
  private JobSpec spec;
  private Instant clock = REQUESTED_AT;
  private int run;

  private JobLifecycle(String jobId) {
    this.jobId = jobId;
    this.spec = fullSpec();
  }

  static JobLifecycle aJob(String jobId) {
    return new JobLifecycle(jobId);
  }

  static JobSpec fullSpec() {
    return Events.anAssetKeySpec()
        // An edit of a start frame: it has every field a summary carries, the edited image's path too.
        .setJobType(JobType.EDIT)
        .setEdit(ImageEdit.newBuilder().setSource(ReferenceImage.newBuilder().setSource("job")
            .setId("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
            .setStoragePath("tenant_tenant-a/project_p1/branch_main/scene_scene-7/shot_shot-3/start_frame_5a6b7c8d.png")
            .setContentType("image/png").setSizeBytes(99_000).setWidth(2048).setHeight(1152).setSha256("cd".repeat(32))
            .build()).build())
        .setSceneId("scene-7")
        .setShotId("shot-3")
        .setAssetId("hero")
        .setStyleCapsuleId("noir-ink")
        .setStyleText("high-contrast ink wash")
        .setImageSize("2K")
        .setProvider("nano-banana")
        .setModel("gemini-2.5-flash-image")
        .setEstimatedCostMicros(39_000)
        .setBatchId("3f2b8a9c-5d1e-4f60-9a7b-1c2d3e4f5a6b")
        .build();
  }

  String jobId() {
    return jobId;
  }

  String traceId() {
    return Traceparent.traceId(traceparent).orElseThrow();
  }

  JobSpec spec() {
    return spec;
  }

  /** The time the next event will carry. */
  Instant now() {
    return clock;
  }

  JobRequested requested() {
    return JobRequested.newBuilder().setMetadata(next("gateway", 0)).setSpec(spec).build();
  }

  JobStarted started() {
    return JobStarted.newBuilder().setMetadata(next("generation", 0)).build();
  }

  GenerationStarted generationStarted(int attempt) {
    return GenerationStarted.newBuilder()
        .setMetadata(next("generation", attempt))
        .setProvider("nano-banana")
        .setModel("gemini-2.5-flash-image-preview")
        .build();
  }

  GenerationAttemptFailed attemptFailed(int attempt) {
    return GenerationAttemptFailed.newBuilder()
        .setMetadata(next("generation", attempt))
        .setErrorClass("TEMPORARY")
        .setErrorCode("503")
        .setMessage("The model is overloaded")
        .setRetryDelayMillis(1_000)
        .build();
  }

  ImageGenerated imageGenerated(int attempt) {
    return ImageGenerated.newBuilder()
        .setMetadata(next("generation", attempt))
        .setSpec(spec)
        .setStagedRef("staging/" + jobId + "/attempt-" + attempt + ".png")
        .setContentType("image/png")
        .setSizeBytes(123_456)
        .setSha256("ab".repeat(32))
        .setWidth(2048)
        .setHeight(1152)
        .setProvider("nano-banana")
        .setModel("gemini-2.5-flash-image-preview")
        .setActualCostMicros(38_700)
        .build();
  }

  UploadStarted uploadStarted() {
    return UploadStarted.newBuilder().setMetadata(next("upload", 0)).build();
  }

  JobCompleted completed() {
    return JobCompleted.newBuilder()
        .setMetadata(next("upload", 0))
        .setStoragePath(storagePath())
        .setObjectUri("file:///var/lib/image-jobs/asset-images/" + storagePath())
        .setContentType("image/png")
        .setSizeBytes(123_456)
        .setWidth(2048)
        .setHeight(1152)
        .setSha256("ab".repeat(32))
        .build();
  }

  /** The gateway's record of a client's choice of variant {@code variant}. */
  VariantSelected variantSelected(int variant) {
    String own = storagePath().replace(".png", "_v" + variant + ".png");
    return VariantSelected.newBuilder()
        .setMetadata(next("gateway", 0))
        .setVariant(variant)
        .setStoragePath(own)
        .setJobStoragePath(storagePath())
        .setContentType("image/png")
        .setSizeBytes(123_000)
        .setSha256("cd".repeat(32))
        .setWidth(2048)
        .setHeight(1152)
        .build();
  }

  JobFailed failed(String stage) {
    return JobFailed.newBuilder()
        .setMetadata(next("generation", 1))
        .setFailureStage(stage)
        .setErrorClass("PERMANENT")
        .setErrorCode("400")
        .setMessage("The provider refused the request")
        .build();
  }

  /** The retry's request; the events after it belong to its run. */
  JobRetryRequested retryRequested(int retryCount) {
    run = retryCount;
    return JobRetryRequested.newBuilder()
        .setMetadata(next("gateway", 0))
        .setSpec(spec)
        .setRetryCount(retryCount)
        .build();
  }

  JobCanceled canceled(String stage) {
    return JobCanceled.newBuilder().setMetadata(next("generation", 0)).setStage(stage).setReason("client").build();
  }

  /** Requested through completed with one temporary provider failure on the way. */
  List<SpecificRecord> completedAfterTwoAttempts() {
    return List.of(requested(), started(), generationStarted(1), attemptFailed(1), generationStarted(2),
        imageGenerated(2), uploadStarted(), completed());
  }

  /** Started through completed: one run after the job is queued. */
  List<SpecificRecord> runToCompletion() {
    return List.of(started(), generationStarted(1), imageGenerated(1), uploadStarted(), completed());
  }

  String storagePath() {
    return "project_p1/branch_main/scene_scene-7/shot_shot-3/start_frame_" + jobId + ".png";
  }

  private EventMetadata next(String producer, int attempt) {
    EventMetadata metadata = EventMetadata.newBuilder(Events.metadata(jobId, producer, attempt))
        .setOccurredAt(clock)
        .setTraceparent(Traceparent.childOf(traceparent))
        .setRun(run)
        .build();
    clock = clock.plus(Duration.ofSeconds(1));
    return metadata;
  }
}
