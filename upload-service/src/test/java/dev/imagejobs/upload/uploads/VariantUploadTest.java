package dev.imagejobs.upload.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.StagingArea;
import dev.imagejobs.upload.TestImages;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.InspectionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job of several variants through {@link ImageUploader}: every variant stored, the first at the job's path. */
class VariantUploadTest {

  private static final String JOB = "job-5c2e";
  private static final String FOLDER = "tenant_tenant-a/project_p1/branch_main/master-assets/";
  private static final BlobPath JOB_PATH = new BlobPath(FOLDER + "hero_" + JOB + ".png");
  private static final BlobPath VARIANT_1 = new BlobPath(FOLDER + "hero_" + JOB + "_v1.png");
  private static final BlobPath VARIANT_2 = new BlobPath(FOLDER + "hero_" + JOB + "_v2.png");
  private static final BlobPath VARIANT_3 = new BlobPath(FOLDER + "hero_" + JOB + "_v3.png");
  private static final BlobPath STAGED_1 = BlobPath.of("staging", JOB, "attempt-1-v1.png");
  private static final BlobPath STAGED_3 = BlobPath.of("staging", JOB, "attempt-1-v3.png");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:16:00Z"), ZoneOffset.UTC);
  private static final UploadSettings FAST_RETRIES =
      new UploadSettings(64, Duration.ofSeconds(1), 2, Duration.ofMillis(10), 3, Duration.ofMillis(1), Duration.ofMillis(2));

  @TempDir
  Path root;

  private FilesystemBlobStore disk;
  private ImageUploader uploader;
  private final List<SpecificRecord> published = new ArrayList<>();
  private final byte[] first = TestImages.png(160, 90);
  private final byte[] third = TestImages.png(320, 180);

  @BeforeEach
  void setUp() {
    disk = new FilesystemBlobStore(root);
    LifecyclePublisher publisher = event -> {
      published.add(event);
      return CompletableFuture.completedFuture(null);
    };
    uploader = new ImageUploader(disk, new ArtifactInspector(InspectionSettings.defaults()), publisher,
        new EventMetadataFactory("upload", CLOCK), FAST_RETRIES, new EndedRuns(Duration.ofDays(7), Clock.systemUTC()));
  }

  @Test
  void givenThreeVariantsOfWhichOneFailed_whenUploaded_thenBothImagesAndTheJobsPathAreStoredAndCompletedListsAllThree()
      throws IOException {
    stageBoth();

    uploader.upload(threeVariants().build());

    assertThat(published).hasSize(2);
    assertThat(published.get(0)).isInstanceOf(UploadStarted.class);
    JobCompleted completed = (JobCompleted) published.get(1);
    assertThat(completed.getStoragePath()).isEqualTo(JOB_PATH.value());
    assertThat(completed.getObjectUri()).isEqualTo(root.resolve(JOB_PATH.value()).toUri().toString());
    assertThat(completed.getContentType()).isEqualTo("image/png");
    assertThat(completed.getSizeBytes()).isEqualTo(first.length);
    assertThat(completed.getSha256()).isEqualTo(TestImages.sha256(first));
    assertThat(completed.getWidth()).isEqualTo(160);
    assertThat(completed.getHeight()).isEqualTo(90);
    assertThat(completed.getVariants()).containsExactly(
        ImageVariant.newBuilder().setVariant(1).setPath(VARIANT_1.value()).setContentType("image/png")
            .setSizeBytes((long) first.length).setSha256(TestImages.sha256(first)).setWidth(160).setHeight(90)
            .setActualCostMicros(39_000).build(),
        ImageVariant.newBuilder().setVariant(2).setActualCostMicros(0).setErrorClass("PERMANENT")
            .setErrorCode("CONTENT_POLICY").setMessage("The provider refused the prompt").build(),
        ImageVariant.newBuilder().setVariant(3).setPath(VARIANT_3.value()).setContentType("image/png")
            .setSizeBytes((long) third.length).setSha256(TestImages.sha256(third)).setWidth(320).setHeight(180)
            .setActualCostMicros(39_000).build());

    assertThat(disk.get(VARIANT_1).orElseThrow().content()).isEqualTo(first);
    assertThat(disk.get(VARIANT_2)).isEmpty();
    assertThat(disk.get(VARIANT_3).orElseThrow().content()).isEqualTo(third);
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
    assertThat(disk.get(VARIANT_3).orElseThrow().metadata()).isEqualTo(new BlobMetadata(
        "image/png", "private, max-age=31536000, immutable",
        Map.of("jobId", JOB, "tenantId", "tenant-a", "variant", "3", "sha256", TestImages.sha256(third))));
    assertThat(disk.get(JOB_PATH).orElseThrow().metadata()).as("the variant's, but a selection may replace it")
        .isEqualTo(new BlobMetadata("image/png", "private, no-cache",
            Map.of("jobId", JOB, "tenantId", "tenant-a", "variant", "1", "sha256", TestImages.sha256(first))));
    assertThat(disk.get(STAGED_1)).isEmpty();
    assertThat(disk.get(STAGED_3)).isEmpty();
    assertThat(StagingArea.isStored(disk, STAGED_1)).isTrue();
    assertThat(StagingArea.isStored(disk, STAGED_3)).isTrue();
  }

  @Test
  void givenTheVariantsAreStoredAndStillStaged_whenRedelivered_thenTheSameEventsAgainAndNothingIsRewritten()
      throws IOException {
    ImageGenerated event = threeVariants().build();
    stageBoth();
    uploader.upload(event);
    List<SpecificRecord> firstDelivery = List.copyOf(published);
    List<Object> files = fileKeys(VARIANT_1, VARIANT_3, JOB_PATH);
    stageBoth();
    published.clear();

    uploader.upload(event);

    assertTheSameEventsAs(firstDelivery);
    assertThat(fileKeys(VARIANT_1, VARIANT_3, JOB_PATH)).isEqualTo(files);
    assertThat(disk.get(STAGED_1)).isEmpty();
    assertThat(disk.get(STAGED_3)).isEmpty();
  }

  @Test
  void givenTheStagedCopiesAreGone_whenRedelivered_thenTheJobCompletesAgainFromWhatIsStored() {
    ImageGenerated event = threeVariants().build();
    stageBoth();
    uploader.upload(event);
    List<SpecificRecord> firstDelivery = List.copyOf(published);
    published.clear();

    uploader.upload(event);

    assertTheSameEventsAs(firstDelivery);
  }

  @Test
  void givenAClientSelectedAnotherVariant_whenImageGeneratedIsRedelivered_thenTheJobCompletesAgainAndTheChoiceStays() {
    ImageGenerated event = threeVariants().build();
    stageBoth();
    uploader.upload(event);
    List<SpecificRecord> firstDelivery = List.copyOf(published);
    disk.copyReplacing(VARIANT_3, JOB_PATH, disk.get(VARIANT_3).orElseThrow().metadata(),
        Durability.SURVIVES_MACHINE_CRASH);
    published.clear();

    uploader.upload(event);

    assertTheSameEventsAs(firstDelivery);
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(third);
  }

  @Test
  void givenOneVariantFailsItsChecks_whenUploaded_thenTheJobFailsNamingItAndNothingIsStored() throws IOException {
    stageBoth();
    String announced = TestImages.sha256(TestImages.png(320, 181));
    List<ImageVariant> variants = new ArrayList<>(threeVariants().getVariants());
    variants.set(2, ImageVariant.newBuilder(variants.get(2)).setSha256(announced).build());

    uploader.upload(threeVariants().setVariants(variants).build());

    assertThat(published).last().isInstanceOfSatisfying(JobFailed.class, failed -> {
      assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
      assertThat(failed.getMessage()).isEqualTo("Variant 3: SHA-256 of the staged bytes is "
          + TestImages.sha256(third) + " but " + announced + " was announced");
    });
    assertThat(finalFiles()).as("not even the variant that passed").isEmpty();
    assertThat(disk.get(STAGED_1)).as("kept for inspection until the sweep").isPresent();
    assertThat(disk.get(STAGED_3)).isPresent();
  }

  @Test
  void givenAVariantStagedOutsideTheJobsFolder_whenUploaded_thenTheJobFailsNamingItAndNothingIsStoredOrDeleted()
      throws IOException {
    stageBoth();
    BlobPath otherJobs = BlobPath.of("staging", "job-other", "attempt-1-v3.png");
    disk.putIfAbsent(otherJobs, third, new BlobMetadata("image/png", null, Map.of()));
    List<ImageVariant> variants = new ArrayList<>(threeVariants().getVariants());
    variants.set(2, ImageVariant.newBuilder(variants.get(2)).setPath(otherJobs.value()).build());

    uploader.upload(threeVariants().setVariants(variants).build());

    assertThat(published).last().isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.getMessage())
        .isEqualTo("Variant 3: The staged reference '" + otherJobs + "' is outside the job's staging folder staging/"
            + JOB + "/"));
    assertThat(finalFiles()).isEmpty();
    assertThat(disk.get(otherJobs)).isPresent();
  }

  @Test
  void givenADifferentImageAtAVariantsPath_whenUploaded_thenTheJobFailsNamingTheVariantAndThePath() {
    stageBoth();
    disk.putIfAbsent(VARIANT_3, TestImages.png(640, 360), new BlobMetadata("image/png", null, Map.of()));

    uploader.upload(threeVariants().build());

    assertThat(published).last().isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.getMessage())
        .isEqualTo("Variant 3: A different image is already stored at " + VARIANT_3));
  }

  @Test
  void givenRepeatedVariantNumbers_whenUploaded_thenTheJobFailsBeforeAnythingIsRead() throws IOException {
    stageBoth();
    List<ImageVariant> variants = new ArrayList<>(threeVariants().getVariants());
    variants.set(2, ImageVariant.newBuilder(variants.get(2)).setVariant(1).build());

    uploader.upload(threeVariants().setVariants(variants).build());

    assertThat(published).last().isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.getMessage())
        .isEqualTo("Variant numbers must be distinct and start at 1, not [1, 2, 1]"));
    assertThat(finalFiles()).isEmpty();
  }

  @Test
  void givenACancelRequest_whenTheVariantsArrive_thenNothingIsStoredAndEveryStagedCopyGoes() throws IOException {
    stageBoth();
    uploader.cancelRequested(JobCancelRequested.newBuilder().setMetadata(Events.metadata(JOB, "gateway", 0)).build());

    uploader.upload(threeVariants().build());

    assertThat(published).singleElement().isInstanceOf(JobCanceled.class);
    assertThat(finalFiles()).isEmpty();
    assertThat(disk.get(STAGED_1)).isEmpty();
    assertThat(disk.get(STAGED_3)).isEmpty();
  }

  @Test
  void givenTheVariantsWereStoredBeforeTheCancelArrived_whenRedelivered_thenTheJobCompletesAgain() {
    ImageGenerated event = threeVariants().build();
    stageBoth();
    uploader.upload(event);
    List<SpecificRecord> firstDelivery = List.copyOf(published);
    uploader.cancelRequested(JobCancelRequested.newBuilder().setMetadata(Events.metadata(JOB, "gateway", 0)).build());
    published.clear();

    uploader.upload(event);

    assertTheSameEventsAs(firstDelivery);
  }

  /** The same events as {@code first}, but for their trace context (each delivery is a span of its own). */
  private void assertTheSameEventsAs(List<SpecificRecord> first) {
    assertThat(published).extracting(event -> LifecycleEvent.of(event).metadata().getEventId())
        .isEqualTo(first.stream().map(event -> LifecycleEvent.of(event).metadata().getEventId()).toList());
    JobCompleted completed = (JobCompleted) published.get(1);
    JobCompleted before = (JobCompleted) first.get(1);
    completed.setMetadata(before.getMetadata());
    assertThat(completed).isEqualTo(before);
  }

  private ImageGenerated.Builder threeVariants() {
    return TestImages.anImageGeneratedOfVariants(JOB, List.of(
        TestImages.aGeneratedVariant(1, STAGED_1.value(), first, 160, 90, 39_000),
        TestImages.aFailedVariant(2, 0),
        TestImages.aGeneratedVariant(3, STAGED_3.value(), third, 320, 180, 39_000)));
  }

  private void stageBoth() {
    disk.putIfAbsent(STAGED_1, first, new BlobMetadata("image/png", null, Map.of()));
    disk.putIfAbsent(STAGED_3, third, new BlobMetadata("image/png", null, Map.of()));
  }

  private List<Object> fileKeys(BlobPath... paths) throws IOException {
    List<Object> keys = new ArrayList<>();
    for (BlobPath path : paths) {
      keys.add(Files.readAttributes(root.resolve(path.value()), BasicFileAttributes.class).fileKey());
    }
    return keys;
  }

  /** Everything stored outside the staging area. */
  private List<String> finalFiles() throws IOException {
    Path tenant = root.resolve("tenant_tenant-a");
    if (!Files.exists(tenant)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(tenant)) {
      return files.filter(Files::isRegularFile).map(Path::toString).toList();
    }
  }
}
