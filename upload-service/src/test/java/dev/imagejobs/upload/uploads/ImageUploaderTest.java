package dev.imagejobs.upload.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.messaging.testing.HoldingPublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.schemas.avro.RunEnded;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobListing;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.ForwardingBlobStore;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.StagingArea;
import dev.imagejobs.storage.StorageException;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUploaderTest {

  private static final String JOB = "job-7f3a";
  private static final String STAGED = "staging/" + JOB + "/attempt-1.png";
  private static final BlobPath FINAL =
      BlobPath.of("tenant_tenant-a", "project_p1", "branch_main", "master-assets", "hero_" + JOB + ".png");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:16:00Z"), ZoneOffset.UTC);
  private static final UploadSettings FAST_RETRIES = new UploadSettings(64, Duration.ofSeconds(1), 2, Duration.ofMillis(10), 3, Duration.ofMillis(1), Duration.ofMillis(2));

  /** The store's root is a folder of its own in here, so what lies beside it belongs to this test. */
  @TempDir
  Path folder;

  private Path root;

  private FilesystemBlobStore disk;
  private FlakyStore store;
  private final List<SpecificRecord> published = new ArrayList<>();
  private ImageUploader uploader;
  private final byte[] png = TestImages.png(160, 90);
  private final EndedRuns endedRuns = new EndedRuns(Duration.ofDays(7), Clock.systemUTC());

  @BeforeEach
  void setUp() {
    root = folder.resolve("store");
    disk = new FilesystemBlobStore(root);
    store = new FlakyStore(disk);
    LifecyclePublisher publisher = event -> {
      published.add(event);
      return CompletableFuture.completedFuture(null);
    };
    uploader = new ImageUploader(store, new ArtifactInspector(InspectionSettings.defaults()), publisher,
        new EventMetadataFactory("upload", CLOCK), FAST_RETRIES, endedRuns);
  }

  @Test
  void givenAStagedPng_whenUploaded_thenStoredAtItsFinalPathCompletedAndTheStagedCopyRemoved() throws IOException {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();

    uploader.upload(event);

    assertThat(published).hasSize(2);
    assertThat(published.get(0)).isInstanceOf(UploadStarted.class);
    JobCompleted completed = (JobCompleted) published.get(1);
    assertThat(completed.getStoragePath()).isEqualTo(FINAL.value());
    assertThat(completed.getObjectUri()).isEqualTo(root.resolve(FINAL.value()).toUri().toString());
    assertThat(completed.getContentType()).isEqualTo("image/png");
    assertThat(completed.getSizeBytes()).isEqualTo(png.length);
    assertThat(completed.getWidth()).isEqualTo(160);
    assertThat(completed.getHeight()).isEqualTo(90);
    assertThat(completed.getSha256()).isEqualTo(TestImages.sha256(png));
    assertThat(completed.getVariants()).as("a job of one image").isEmpty();
    assertFollows(completed.getMetadata(), event.getMetadata());
    assertFollows(((UploadStarted) published.get(0)).getMetadata(), event.getMetadata());
    assertThat(Files.readAllBytes(root.resolve(FINAL.value()))).isEqualTo(png);
    assertThat(disk.get(FINAL).orElseThrow().metadata()).isEqualTo(new BlobMetadata(
        "image/png", "private, max-age=31536000, immutable",
        Map.of("jobId", JOB, "tenantId", "tenant-a", "sha256", TestImages.sha256(png))));
    assertThat(disk.get(new BlobPath(STAGED))).isEmpty();
    // A generation service handed the request again learns from this that the image exists.
    assertThat(StagingArea.isStored(disk, new BlobPath(STAGED))).isTrue();
  }

  @Test
  void givenUploadStartedIsNotYetAcknowledged_whenUploaded_thenTheImageIsStoredAndCompletedAndTheUploadEndsOnlyOnceBothAre() {
    HoldingPublisher broker = new HoldingPublisher(EventType.UPLOAD_STARTED);
    stage(png);

    CompletableFuture<Void> done = uploader(broker).upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    // Nothing waited for UploadStarted: the image is stored and announced, the staged copy gone.
    assertThat(broker.sentTypes()).containsExactly(EventType.UPLOAD_STARTED, EventType.JOB_COMPLETED);
    assertThat(disk.get(FINAL)).isPresent();
    assertThat(disk.get(new BlobPath(STAGED))).isEmpty();
    assertThat(done).isNotDone();

    broker.acknowledge(EventType.UPLOAD_STARTED);

    assertThat(done).isCompleted();
  }

  @Test
  void givenUploadStartedFailsAfterTheImageWasStored_whenDeliveredAgain_thenTheJobCompletesFromTheStoredImage() {
    HoldingPublisher broker = new HoldingPublisher(EventType.UPLOAD_STARTED);
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    CompletableFuture<Void> first = uploader(broker).upload(event);

    broker.fail(EventType.UPLOAD_STARTED);

    assertThat(first).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(EventPublishingException.class);
    assertThat(uploader.upload(event)).isCompleted();
    assertThat(published).extracting(record -> record.getClass().getSimpleName())
        .containsExactly("UploadStarted", "JobCompleted");
    assertThat(((JobCompleted) published.get(1)).getSha256()).isEqualTo(TestImages.sha256(png));
  }

  @Test
  void givenTheImageIsAlreadyStoredAndStillStaged_whenRedelivered_thenCompletesWithoutRewritingAndWithTheSameEventIds()
      throws IOException {
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    stage(png);
    uploader.upload(event);
    List<String> firstIds = eventIds();
    Object storedFile = fileKey();
    stage(png);
    published.clear();

    uploader.upload(event);

    assertThat(published).extracting(record -> record.getClass().getSimpleName())
        .containsExactly("UploadStarted", "JobCompleted");
    assertThat(eventIds()).isEqualTo(firstIds);
    assertThat(fileKey()).isEqualTo(storedFile);
    assertThat(disk.get(new BlobPath(STAGED))).isEmpty();
  }

  @Test
  void givenTheStagedCopyIsGoneButTheSameImageIsStored_whenRedelivered_thenCompletesAgain() {
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    stage(png);
    uploader.upload(event);
    published.clear();

    uploader.upload(event);

    assertThat(published.get(1)).isInstanceOfSatisfying(JobCompleted.class,
        completed -> assertThat(completed.getSha256()).isEqualTo(TestImages.sha256(png)));
  }

  @Test
  void givenAStagedPng_whenStored_thenTheFinalImageIsTheStagedFileLinkedNotRewritten() throws IOException {
    stage(png);
    Object stagedFile = Files.readAttributes(root.resolve(STAGED), BasicFileAttributes.class).fileKey();

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(fileKey()).isEqualTo(stagedFile);
    assertThat(Files.readAllBytes(root.resolve(FINAL.value()))).isEqualTo(png);
  }

  @Test
  void givenTheStagedCopyGoesWhileTheImageIsChecked_whenStored_thenTheCheckedBytesAreWritten() {
    stage(png);
    BlobStore vanishing = new ForwardingBlobStore(disk) {
      @Override
      public Optional<Blob> get(BlobPath path) {
        Optional<Blob> blob = super.get(path);
        if (path.value().equals(STAGED)) {
          disk.delete(path); // another instance finished the same upload meanwhile
        }
        return blob;
      }
    };
    ImageUploader racing = new ImageUploader(vanishing, new ArtifactInspector(InspectionSettings.defaults()),
        event -> {
          published.add(event);
          return CompletableFuture.completedFuture(null);
        }, new EventMetadataFactory("upload", CLOCK), FAST_RETRIES, endedRuns);

    racing.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(published).last().isInstanceOf(JobCompleted.class);
    assertThat(disk.get(FINAL).orElseThrow().content()).isEqualTo(png);
  }

  @Test
  void givenNoStagedArtifact_whenUploaded_thenFailsPermanently() {
    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertFailed("PERMANENT", "The staged artifact " + STAGED + " is missing");
  }

  @Test
  void givenADifferentImageAtTheFinalPath_whenUploaded_thenFailsPermanentlyAndLeavesBothCopies() {
    byte[] other = TestImages.png(320, 180);
    disk.putIfAbsent(FINAL, other, new BlobMetadata("image/png", null, Map.of()));
    stage(png);

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertFailed("PERMANENT", "A different image is already stored at " + FINAL);
    assertThat(disk.get(FINAL).orElseThrow().content()).isEqualTo(other);
    assertThat(disk.get(new BlobPath(STAGED))).isPresent();
  }

  @Test
  void givenAnEditedImageOfItsSourcesSize_whenUploaded_thenStoredBesideTheSource() {
    stage(png);
    String source = "tenant_tenant-a/project_p1/branch_main/scene_s1/shot_sh1/start_frame_"
        + "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6.jpg";
    ImageGenerated.Builder event = TestImages.anImageGenerated(JOB, STAGED, png);
    event.setSpec(anEdit(event.getSpec(), source, 160, 90));

    uploader.upload(event.build());

    JobCompleted completed = (JobCompleted) published.get(1);
    assertThat(completed.getStoragePath()).isEqualTo("tenant_tenant-a/project_p1/branch_main/scene_s1/shot_sh1/"
        + "start_frame_7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6_edit_" + JOB + ".png");
    assertThat(disk.get(new BlobPath(completed.getStoragePath()))).isPresent();
  }

  @Test
  void givenAnEditedImageOfAnotherSizeThanItsSource_whenUploaded_thenFailsPermanentlyAndStoresNothing() {
    stage(png);
    ImageGenerated.Builder event = TestImages.anImageGenerated(JOB, STAGED, png);
    event.setSpec(anEdit(event.getSpec(), "tenant_tenant-a/project_p1/references/ref-1.png", 320, 180));

    uploader.upload(event.build());

    assertFailed("PERMANENT", "The edited image is 160x90 but its source is 320x180");
    assertThat(disk.get(new BlobPath("tenant_tenant-a/project_p1/references/ref-1_edit_" + JOB + ".png"))).isEmpty();
  }

  private static JobSpec anEdit(JobSpec spec, String sourcePath, int width, int height) {
    ReferenceImage source = ReferenceImage.newBuilder().setSource("job").setId("source-job").setStoragePath(sourcePath)
        .setContentType("image/png").setSizeBytes(10).setWidth(width).setHeight(height).setSha256("ab".repeat(32))
        .build();
    return JobSpec.newBuilder(spec).setJobType(JobType.EDIT).setAssetId(null)
        .setEdit(ImageEdit.newBuilder().setSource(source).build()).build();
  }

  @Test
  void givenACorruptArtifact_whenUploaded_thenFailsPermanentlyWithTheCheckAndStoresNothing() {
    byte[] corrupt = "definitely not a png".getBytes();
    stage(corrupt);

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, corrupt).build());

    assertFailed("PERMANENT", "The bytes are not a PNG, JPEG or WebP image although image/png was declared");
    assertThat(disk.get(FINAL)).isEmpty();
  }

  @Test
  void givenAChecksumThatDoesNotMatchTheStagedBytes_whenUploaded_thenFailsPermanentlyAndStoresNothing() {
    stage(png);
    String announced = TestImages.sha256(TestImages.png(160, 91));

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).setSha256(announced).build());

    assertFailed("PERMANENT",
        "SHA-256 of the staged bytes is " + TestImages.sha256(png) + " but " + announced + " was announced");
    assertThat(disk.get(FINAL)).isEmpty();
    assertThat(disk.get(new BlobPath(STAGED))).as("kept for inspection until the sweep").isPresent();
  }

  @Test
  void givenJpegBytesAnnouncedAsPng_whenUploaded_thenFailsPermanentlyForTheMagicBytes() {
    byte[] jpeg = TestImages.jpeg(160, 90);
    stage(jpeg);

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, jpeg).build());

    assertFailed("PERMANENT", "Declared image/png but the bytes are a JPEG image");
    assertThat(disk.get(FINAL)).isEmpty();
  }

  @Test
  void givenAProjectIdThatEscapesItsFolder_whenUploaded_thenFailsPermanentlyAndWritesNothing() throws IOException {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    event.getSpec().setProjectId("../x");
    List<Path> before = files();

    uploader.upload(event);

    assertFailed("PERMANENT", "No storage path for this job: projectId '../x' is not a safe path segment");
    assertThat(files()).isEqualTo(before);
    assertThat(root.resolveSibling("x")).doesNotExist();
  }

  @Test
  void givenAStagedReferenceOutsideTheJobsStagingFolder_whenUploaded_thenFailsPermanentlyAndDeletesNothing() {
    BlobPath otherJobsImage = BlobPath.of("tenant_tenant-a", "project_p1", "branch_main", "master-assets", "hero_job-other.png");
    disk.putIfAbsent(otherJobsImage, png, new BlobMetadata("image/png", null, Map.of()));

    uploader.upload(TestImages.anImageGenerated(JOB, otherJobsImage.value(), png).build());

    assertFailed("PERMANENT", "The staged reference '" + otherJobsImage
        + "' is outside the job's staging folder staging/" + JOB + "/");
    assertThat(disk.get(otherJobsImage)).isPresent();
    assertThat(disk.get(FINAL)).isEmpty();
  }

  @Test
  void givenAStagedReferenceOutsideTheStore_whenUploaded_thenFailsPermanently() {
    uploader.upload(TestImages.anImageGenerated(JOB, "../../etc/passwd", png).build());

    assertFailed("PERMANENT", "The staged reference '../../etc/passwd' is not a valid path");
  }

  @Test
  void givenASpecWithoutItsAssetId_whenUploaded_thenFailsPermanently() {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    event.getSpec().setAssetId(null);

    uploader.upload(event);

    assertFailed("PERMANENT", "No storage path for this job: assetId is required for ASSET_IMAGE_KEY jobs");
  }

  @Test
  void givenAStoreThatFailsAFewTimes_whenUploaded_thenRetriedAndCompleted() {
    stage(png);
    store.failNext(3);

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(published).last().isInstanceOf(JobCompleted.class);
    assertThat(disk.get(FINAL)).isPresent();
  }

  @Test
  void givenAStoreThatKeepsFailing_whenUploaded_thenTheUploadFailsAsAnOutageWithoutFailingTheJob() {
    stage(png);
    store.failNextAfter(1, Integer.MAX_VALUE);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();

    assertThat(uploader.upload(event)).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(StorageUnavailableException.class)
        .withMessage("Reading " + STAGED + " failed after 4 attempts: disk unavailable");
    assertThat(published).as("the paid image is not failed").noneMatch(JobFailed.class::isInstance);
    assertThat(disk.get(FINAL)).isEmpty();

    // The dispatcher hands the record in again; once the store is back, the image is stored.
    store.failNext(0);
    assertThat(uploader.upload(event)).succeedsWithin(Duration.ofSeconds(5));
    assertThat(published).last().isInstanceOf(JobCompleted.class);
    assertThat(disk.get(FINAL)).isPresent();
  }

  @Test
  void givenAStoreThatFailsTheCancelCheck_whenUploaded_thenTheUploadFailsAsAnOutageWithoutStarting() {
    stage(png);
    store.failNext(Integer.MAX_VALUE);

    assertThat(uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build()))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(StorageUnavailableException.class)
        .withMessage("Checking whether job " + JOB + " run 0 was canceled failed after 4 attempts: disk unavailable");
    assertThat(published).isEmpty();
    assertThat(disk.get(FINAL)).isEmpty();
  }

  @Test
  void givenACancelRequest_whenImageGeneratedArrives_thenNothingIsStoredTheStagedCopyGoesAndTheJobIsCanceled() {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();

    uploader.cancelRequested(aCancelRequest());
    uploader.upload(event);

    assertThat(published).singleElement().isInstanceOfSatisfying(JobCanceled.class, canceled -> {
      assertThat(canceled.getStage()).isEqualTo("generated");
      assertThat(canceled.getReason()).isEqualTo("Canceled before upload; the generated image was discarded");
      assertFollows(canceled.getMetadata(), event.getMetadata());
    });
    assertThat(disk.get(FINAL)).isEmpty();
    assertThat(disk.get(new BlobPath(STAGED))).isEmpty();
    assertThat(StagingArea.isCanceled(disk, JOB, 0)).as("kept for redeliveries until the sweep").isTrue();
  }

  @Test
  void givenACancelRequestedTwice_whenImageGeneratedIsRedelivered_thenCanceledAgainWithTheSameEventId() {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    uploader.cancelRequested(aCancelRequest());
    uploader.cancelRequested(aCancelRequest());
    uploader.upload(event);
    List<String> firstIds = eventIds();
    published.clear();

    uploader.upload(event);

    assertThat(published).singleElement().isInstanceOf(JobCanceled.class);
    assertThat(eventIds()).isEqualTo(firstIds);
    assertThat(disk.get(FINAL)).isEmpty();
  }

  @Test
  void givenTheImageWasStoredBeforeTheCancelArrived_whenRedelivered_thenTheJobCompletesAgain() {
    stage(png);
    ImageGenerated event = TestImages.anImageGenerated(JOB, STAGED, png).build();
    uploader.upload(event);
    List<String> firstIds = eventIds();
    uploader.cancelRequested(aCancelRequest());
    published.clear();

    uploader.upload(event);

    assertThat(published).extracting(record -> record.getClass().getSimpleName())
        .containsExactly("UploadStarted", "JobCompleted");
    assertThat(eventIds()).isEqualTo(firstIds);
    assertThat(disk.get(FINAL)).isPresent();
  }

  @Test
  void givenNoCancelRequest_whenAnotherJobIsCanceled_thenThisOneIsStillUploaded() {
    stage(png);
    uploader.cancelRequested(JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata("job-other", "gateway", 0)).build());

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(published).last().isInstanceOf(JobCompleted.class);
  }

  @Test
  void givenAJobIdThatCannotNameAFolder_whenCancelRequested_thenTheRecordIsUnprocessable() {
    JobCancelRequested request = JobCancelRequested.newBuilder().setMetadata(Events.metadata("../x", "gateway", 0)).build();

    assertThatThrownBy(() -> uploader.cancelRequested(request))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessage("Job id '../x' cannot name a staging folder");
  }

  @Test
  void givenAStoreThatKeepsFailing_whenCancelRequested_thenTheErrorReachesTheErrorHandler() {
    store.failNext(Integer.MAX_VALUE);

    assertThatThrownBy(() -> uploader.cancelRequested(aCancelRequest()))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessage("Recording the cancel of job " + JOB + " failed after 4 attempts: disk unavailable");
  }

  @Test
  void givenTheStagedCopyCannotBeDeleted_whenUploaded_thenTheJobStillCompletes() {
    stage(png);
    store.failDeletes = true;

    uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(published).last().isInstanceOf(JobCompleted.class);
    assertThat(disk.get(new BlobPath(STAGED))).isPresent();
  }

  @Test
  void givenARunThatEndedWhileItsImageWaitedInABacklog_whenUploaded_thenNothingIsStoredOrAnnounced() {
    stage(png);
    endedRuns.record(RunEnded.newBuilder().setJobId(JOB).setTenantId("tenant-a").setRun(0).setStatus("failed")
        .setEndedBy("watchdog").setEndedAt(Instant.now()).build());

    CompletableFuture<Void> done = uploader.upload(TestImages.anImageGenerated(JOB, STAGED, png).build());

    assertThat(done).isCompleted();
    assertThat(published).isEmpty();
    assertThat(disk.get(FINAL)).isEmpty();
    assertThat(disk.get(new BlobPath(STAGED))).as("the paid image of an ended run is discarded").isEmpty();
  }

  @Test
  void givenTheFirstRunCanceledAndEnded_whenTheRetrysImageArrives_thenItIsStored() {
    // A cancel and an end belong to their run: neither stops the job's next one.
    stage(png);
    uploader.cancelRequested(aCancelRequest());
    endedRuns.record(RunEnded.newBuilder().setJobId(JOB).setTenantId("tenant-a").setRun(0).setStatus("failed")
        .setEndedBy("generation").setEndedAt(Instant.now()).build());
    ImageGenerated retried = TestImages.anImageGenerated(JOB, STAGED, png).build();
    retried.getMetadata().setRun(1);

    uploader.upload(retried);

    assertThat(published).last().isInstanceOf(JobCompleted.class);
    assertThat(disk.get(FINAL)).isPresent();
  }

  @Test
  void givenAnImageEventOlderThanTheEndedRunsRetention_whenUploaded_thenItIsHistoryAndNotStored() {
    stage(png);
    ImageGenerated replayed = TestImages.anImageGenerated(JOB, STAGED, png).build();
    replayed.getMetadata().setOccurredAt(Instant.now().minus(Duration.ofDays(8)));

    uploader.upload(replayed);

    assertThat(published).isEmpty();
    assertThat(disk.get(FINAL)).isEmpty();
  }

  private ImageUploader uploader(LifecyclePublisher publisher) {
    return new ImageUploader(store, new ArtifactInspector(InspectionSettings.defaults()), publisher,
        new EventMetadataFactory("upload", CLOCK), FAST_RETRIES, endedRuns);
  }

  private static JobCancelRequested aCancelRequest() {
    return JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata(JOB, "gateway", 0))
        .setReason("requested through the API")
        .build();
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(file -> !file.toString().contains("~")).sorted().toList();
    }
  }

  private void stage(byte[] content) {
    disk.putIfAbsent(new BlobPath(STAGED), content, new BlobMetadata("image/png", null, Map.of()));
  }

  private Object fileKey() throws IOException {
    return Files.readAttributes(root.resolve(FINAL.value()), BasicFileAttributes.class).fileKey();
  }

  private List<String> eventIds() {
    return published.stream().map(record -> LifecycleEvent.of(record).metadata().getEventId()).toList();
  }

  private void assertFailed(String errorClass, String message) {
    assertThat(published).hasSize(2);
    assertThat(published.get(0)).isInstanceOf(UploadStarted.class);
    assertThat(published.get(1)).isInstanceOfSatisfying(JobFailed.class, failed -> {
      assertThat(failed.getFailureStage()).isEqualTo("uploading");
      assertThat(failed.getErrorClass()).isEqualTo(errorClass);
      assertThat(failed.getMessage()).isEqualTo(message);
    });
  }

  private static void assertFollows(EventMetadata metadata, EventMetadata cause) {
    assertThat(metadata.getJobId()).isEqualTo(cause.getJobId());
    assertThat(metadata.getTenantId()).isEqualTo(cause.getTenantId());
    assertThat(metadata.getAttempt()).isEqualTo(cause.getAttempt());
    assertThat(metadata.getProducer()).isEqualTo("upload");
    assertThat(metadata.getOccurredAt()).isEqualTo(CLOCK.instant());
    assertThat(metadata.getEventId()).isNotEqualTo(cause.getEventId());
  }

  /** A store whose calls fail on demand, as a full or unreachable disk would. */
  private static final class FlakyStore extends ForwardingBlobStore {
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger passes = new AtomicInteger();
    boolean failDeletes;

    FlakyStore(BlobStore delegate) {
      super(delegate);
    }

    void failNext(int calls) {
      failures.set(calls);
    }

    /** Lets {@code successfulCalls} calls through, then fails the next {@code calls}. */
    void failNextAfter(int successfulCalls, int calls) {
      passes.set(successfulCalls);
      failures.set(calls);
    }

    @Override
    public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata, Durability durability) {
      maybeFail();
      return super.putIfAbsent(path, content, metadata, durability);
    }

    @Override
    public PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
      maybeFail();
      return super.copyIfAbsent(source, target, metadata, durability);
    }

    @Override
    public Optional<Blob> get(BlobPath path) {
      maybeFail();
      return super.get(path);
    }

    @Override
    public boolean delete(BlobPath path) {
      if (failDeletes) {
        throw new StorageException("disk unavailable", new IOException("EIO"));
      }
      maybeFail();
      return super.delete(path);
    }

    @Override
    public List<BlobListing> list(BlobPath folder) {
      maybeFail();
      return super.list(folder);
    }

    private void maybeFail() {
      if (passes.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
        return;
      }
      if (failures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
        throw new StorageException("disk unavailable", new IOException("EIO"));
      }
    }
  }

}
