package dev.imagejobs.gateway.readmodel;

import static dev.imagejobs.gateway.testing.LifecycleEvents.timeOfEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.SchemaCatalogue;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobStarted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class JobFoldTest {

  private final LifecycleEvents job = LifecycleEvents.aJob("tenant-a");

  @Test
  void givenNoRowWhenJobRequestedThenQueuedRowHoldsTheSpec() {
    JobRow row = applied(null, job.requested());

    assertThat(row.jobId()).isEqualTo(job.jobId());
    assertThat(row.tenantId()).isEqualTo("tenant-a");
    assertThat(row.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(row.jobType()).isEqualTo("ASSET_IMAGE_KEY");
    assertThat(row.projectId()).isEqualTo("p1");
    assertThat(row.assetId()).isEqualTo("hero");
    assertThat(row.aspectRatio()).isEqualTo("16:9");
    assertThat(row.imageSize()).isEqualTo("1K");
    assertThat(row.provider()).isEqualTo("local");
    assertThat(row.model()).isEqualTo("local-v1");
    assertThat(row.attemptCount()).isZero();
    assertThat(row.retryCount()).isZero();
    assertThat(row.createdAt()).isEqualTo(timeOfEvent(1));
    assertThat(row.updatedAt()).isEqualTo(timeOfEvent(1));
    assertThat(row.startedAt()).isNull();
    assertThat(row.completedAt()).isNull();
    assertThat(row.lastEventSeq()).isEqualTo(1);
  }

  @Test
  void givenASpecWithAPriorityThenTheRowHoldsItAndARetryTakesTheRetrySpecs() {
    JobRow row = applied(null, job.requested(Events.anAssetKeySpec().setPriority(JobPriority.HIGH).build()));
    assertThat(row.priority()).isEqualTo(Priority.HIGH);

    row = applied(row, job.started());
    row = applied(row, job.failed("processing", "PERMANENT", "prompt refused"));
    assertThat(row.priority()).isEqualTo(Priority.HIGH);
    row = applied(row, job.retryRequested(1, Events.anAssetKeySpec().setPriority(JobPriority.LOW).build()));

    assertThat(row.priority()).isEqualTo(Priority.LOW);
  }

  @Test
  void givenASpecWithoutAPriorityOrWithASymbolAddedLaterThenTheJobIsNormal() {
    assertThat(applied(null, job.requested()).priority()).as("the Avro default").isEqualTo(Priority.NORMAL);
    assertThat(applied(null, job.requested(Events.anAssetKeySpec().setPriority(JobPriority.UNKNOWN).build()))
        .priority()).isEqualTo(Priority.NORMAL);
  }

  @Test
  void givenAJobRequestedWrittenBeforePrioritiesExistedThenItIsDecodedAndFoldedAsNormal() throws IOException {
    JobRequested current = job.requested(Events.anAssetKeySpec().setPriority(JobPriority.LOW).build());
    Schema older = SchemaCatalogue.released(EventType.JOB_REQUESTED).stream()
        .filter(schema -> schema.getField("spec").schema().getField("priority") == null)
        .reduce((first, second) -> second)
        .orElseThrow();

    LifecycleEvent decoded = new LifecycleCodec().decode(writtenWith(older, current));

    assertThat(decoded.payload(JobRequested.class).getSpec().getAssetId()).isEqualTo("hero");
    assertThat(JobFold.apply(null, decoded)).isInstanceOfSatisfying(FoldResult.Applied.class,
        applied -> assertThat(applied.row().priority()).isEqualTo(Priority.NORMAL));
  }

  @Test
  void givenQueuedJobWhenItRunsToCompletionThenEveryEventLeavesItsMark() {
    JobRow row = applied(null, job.requested());

    row = applied(row, job.started());
    assertThat(row.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(row.startedAt()).isEqualTo(timeOfEvent(2));

    row = applied(row, job.generationStarted(1));
    assertThat(row.status()).isEqualTo(JobStatus.GENERATING);
    assertThat(row.attemptCount()).isEqualTo(1);

    row = applied(row, job.attemptFailed("TEMPORARY"));
    row = applied(row, job.generationStarted(2));
    assertThat(row.status()).isEqualTo(JobStatus.GENERATING);
    assertThat(row.attemptCount()).isEqualTo(2);
    assertThat(row.errorClass()).as("attempt failures are history, not the job's failure").isNull();

    row = applied(row, job.imageGenerated(39_000));
    assertThat(row.status()).isEqualTo(JobStatus.GENERATED);
    assertThat(row.actualCostMicros()).isEqualTo(39_000);

    row = applied(row, job.uploadStarted());
    assertThat(row.status()).isEqualTo(JobStatus.UPLOADING);
    assertThat(row.completedAt()).isNull();

    row = applied(row, job.completed("project_p1/branch_main/master-assets/hero_j.png", "ab".repeat(32), 4096));
    assertThat(row.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(row.storagePath()).isEqualTo("project_p1/branch_main/master-assets/hero_j.png");
    assertThat(row.objectUri()).endsWith("/hero_j.png");
    assertThat(row.contentType()).isEqualTo("image/png");
    assertThat(row.sizeBytes()).isEqualTo(4096);
    assertThat(row.width()).isEqualTo(1024);
    assertThat(row.height()).isEqualTo(576);
    assertThat(row.sha256()).isEqualTo("ab".repeat(32));
    assertThat(row.createdAt()).isEqualTo(timeOfEvent(1));
    assertThat(row.startedAt()).isEqualTo(timeOfEvent(2));
    assertThat(row.completedAt()).isEqualTo(timeOfEvent(8));
    assertThat(row.updatedAt()).isEqualTo(timeOfEvent(8));
    assertThat(row.lastEventSeq()).isEqualTo(8);
  }

  @Test
  void givenAJobOfVariantsThenItsImageIsItsFirstStoredVariantUntilOneIsChosen() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());
    row = applied(row, job.generationStarted(1));
    ImageVariant first = ImageVariant.newBuilder().setVariant(1).setPath("p/hero_j_v1.png").setContentType("image/png")
        .setSizeBytes(10L).setSha256("a1".repeat(32)).setWidth(8).setHeight(8).setActualCostMicros(100).build();
    ImageVariant second = ImageVariant.newBuilder(first).setVariant(2).setPath("p/hero_j_v2.png")
        .setSha256("a2".repeat(32)).build();
    row = applied(row, ImageGenerated.newBuilder(job.imageGenerated(200))
        .setVariants(List.of(first, ImageVariant.newBuilder(second).setPath("staging/j/attempt-1-variant-2.png").build()))
        .build());
    assertThat(row.variants()).extracting(JobVariant::status).containsExactly("generated", "generated");
    assertThat(row.variants()).extracting(JobVariant::storagePath).containsOnlyNulls();
    row = applied(row, job.uploadStarted());
    row = applied(row, JobCompleted.newBuilder(job.completed("p/hero_j.png", "a1".repeat(32), 10))
        .setVariants(List.of(first, second)).build());
    assertThat(row.image()).get().extracting(JobRow.StoredImage::storagePath).isEqualTo("p/hero_j_v1.png");
    assertThat(row.image().get().objectUri()).endsWith("/p/hero_j_v1.png");

    row = applied(row, job.variantSelected(2, "p/hero_j_v2.png", "p/hero_j.png", "a2".repeat(32)));

    assertThat(row.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(row.selectedVariant()).isEqualTo(2);
    assertThat(row.storagePath()).as("the job's own path").isEqualTo("p/hero_j.png");
    assertThat(row.image()).get().extracting(JobRow.StoredImage::sha256).isEqualTo("a2".repeat(32));
  }

  @Test
  void givenQueuedJobWhenCompletedArrivesThenTheIllegalTransitionIsRejected() {
    JobRow queued = applied(null, job.requested());

    FoldResult result = JobFold.apply(queued, LifecycleEvent.of(job.completed("a.png", "0".repeat(64), 1)));

    assertThat(result).isInstanceOf(FoldResult.Rejected.class);
    assertThat(((FoldResult.Rejected) result).reason()).contains("JobCompleted").contains("queued");
  }

  @Test
  void givenUnknownJobWhenAnythingButJobRequestedArrivesThenItIsRejected() {
    assertThat(JobFold.apply(null, LifecycleEvent.of(job.started()))).isInstanceOf(FoldResult.Rejected.class);
  }

  @Test
  void givenExistingJobWhenJobRequestedArrivesAgainThenItIsRejected() {
    JobRow queued = applied(null, job.requested());

    assertThat(JobFold.apply(queued, LifecycleEvent.of(job.requested()))).isInstanceOf(FoldResult.Rejected.class);
  }

  @Test
  void givenFailedJobWhenRetryRequestedThenFailureIsClearedAndRetryCounted() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());
    row = applied(row, job.failed("processing", "PERMANENT", "prompt refused"));
    assertThat(row.status()).isEqualTo(JobStatus.FAILED);
    assertThat(row.failureStage()).isEqualTo("processing");
    assertThat(row.errorClass()).isEqualTo("PERMANENT");
    assertThat(row.errorCode()).isEqualTo("400");
    assertThat(row.errorMessage()).isEqualTo("prompt refused");
    assertThat(row.completedAt()).isEqualTo(timeOfEvent(3));

    row = applied(row, job.retryRequested(1));

    assertThat(row.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(row.retryCount()).isEqualTo(1);
    assertThat(row.failureStage()).isNull();
    assertThat(row.errorClass()).isNull();
    assertThat(row.errorCode()).isNull();
    assertThat(row.errorMessage()).isNull();
    assertThat(row.completedAt()).isNull();
    assertThat(row.lastEventSeq()).isEqualTo(4);
  }

  @Test
  void givenACancelRequestedOfARunThatFailedWhenRetriedThenTheNewRunIsNotMarkedCanceled() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());
    row = applied(row, job.cancelRequested());
    row = applied(row, job.failed("processing", "PERMANENT", "prompt refused"));
    assertThat(row.cancelRequested()).isTrue();

    row = applied(row, job.retryRequested(1));

    assertThat(row.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(row.cancelRequested()).as("the cancel was asked of the first run").isFalse();
  }

  @Test
  void givenARetriedJobThenTheViewCountsTheCurrentRunAndTotalsEveryRun() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());
    row = applied(row, job.generationStarted(1));
    row = applied(row, job.attemptFailed("TEMPORARY"));
    row = applied(row, job.generationStarted(2));
    row = applied(row, job.imageGenerated(39_000));
    row = applied(row, job.failed("uploading", "PERMANENT", "not an image"));

    row = applied(row, job.retryRequested(1));
    assertThat(row.attemptCount()).as("the new run has made no attempt yet").isZero();
    assertThat(row.actualCostMicros()).isNull();
    assertThat(row.totalAttempts()).isEqualTo(2);
    assertThat(row.totalCostMicros()).isEqualTo(39_000);

    row = applied(row, job.started());
    row = applied(row, job.generationStarted(1));
    row = applied(row, job.imageGenerated(39_000));

    assertThat(row.attemptCount()).isEqualTo(1);
    assertThat(row.actualCostMicros()).isEqualTo(39_000);
    assertThat(row.totalAttempts()).isEqualTo(3);
    assertThat(row.totalCostMicros()).isEqualTo(78_000);
  }

  @Test
  void givenARetriedJobWhenALateEventOfTheReplacedRunArrivesThenItChangesNothing() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());
    JobStarted lateStart = job.started(); // of the first run, held back somewhere
    row = applied(row, job.failed("processing", "PERMANENT", "prompt refused"));
    row = applied(row, job.retryRequested(1));

    FoldResult late = JobFold.apply(row, LifecycleEvent.of(lateStart));

    assertThat(late).isInstanceOfSatisfying(FoldResult.Rejected.class,
        rejected -> assertThat(rejected.reason()).contains("run 0").contains("run 1"));
    assertThat(JobFold.apply(row, LifecycleEvent.of(job.started()))).as("the retry's own start")
        .isInstanceOf(FoldResult.Applied.class);
    assertThat(JobFold.apply(row, new LifecycleEvent(EventType.JOB_STARTED, lateStart, false)))
        .as("an event written before events named their run is folded as before")
        .isInstanceOf(FoldResult.Applied.class);
  }

  @Test
  void givenRunningJobWhenCancelRequestedThenStatusStaysUntilCanceled() {
    JobRow row = applied(null, job.requested());
    row = applied(row, job.started());

    row = applied(row, job.cancelRequested());
    assertThat(row.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(row.cancelRequested()).isTrue();

    row = applied(row, job.canceled("processing"));
    assertThat(row.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(row.completedAt()).isEqualTo(timeOfEvent(4));
  }

  @Test
  void givenJobOfOneTenantWhenAnEventNamesAnotherTenantThenItIsRejected() {
    JobRow queued = applied(null, job.requested());
    JobStarted foreign = JobStarted.newBuilder().setMetadata(job.metadataOfTenant("tenant-b")).build();

    FoldResult result = JobFold.apply(queued, LifecycleEvent.of(foreign));

    assertThat(result).isInstanceOf(FoldResult.Rejected.class);
    assertThat(((FoldResult.Rejected) result).reason()).contains("tenant-b");
  }

  @Test
  void givenPromptWithNulWhenFoldedThenTheRowHoldsStorableText() {
    JobRow row = applied(null, job.requested(Events.anAssetKeySpec().setPrompt("a\u0000b").build()));

    assertThat(row.prompt()).isEqualTo("a\uFFFDb");
  }

  @Test
  void givenAnEventWhenDescribedAsJsonThenFieldsArePlainValues() {
    Map<String, Object> detail = EventDetails.plain(job.requested());

    assertThat(detail).containsKeys("metadata", "spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) detail.get("metadata");
    assertThat(metadata.get("occurredAt")).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(metadata.get("jobId")).isEqualTo(job.jobId());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) detail.get("spec");
    assertThat(spec.get("jobType")).isEqualTo("ASSET_IMAGE_KEY");
    assertThat(spec.get("assetId")).as("unions are unwrapped").isEqualTo("hero");
    assertThat(spec.get("sceneId")).isNull();
    assertThat(EventDetails.json(job.started())).startsWith("{\"metadata\":{\"eventId\":");
  }

  /** {@code record} as a service of an earlier release would have written it, with {@code writer}. */
  private static byte[] writtenWith(Schema writer, SpecificRecord record) throws IOException {
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(current, null);
    new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
    encoder.flush();
    GenericRecord older = new GenericDatumReader<GenericRecord>(record.getSchema(), writer)
        .read(null, DecoderFactory.get().binaryDecoder(current.toByteArray(), null));
    return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(older).array();
  }

  private static JobRow applied(JobRow current, SpecificRecord event) {
    FoldResult result = JobFold.apply(current, LifecycleEvent.of(event));
    assertThat(result).isInstanceOf(FoldResult.Applied.class);
    return ((FoldResult.Applied) result).row();
  }
}
