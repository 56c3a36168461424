package dev.imagejobs.upload.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.VariantSelected;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.upload.TestImages;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.InspectionSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the upload service's dispatcher routes a {@code VariantSelected} of the lifecycle topic. */
class UploadDispatcherTest {

  private static final String JOB = "job-5c2e";
  private static final String FOLDER = "tenant_tenant-a/project_p1/branch_main/master-assets/";
  private static final BlobPath JOB_PATH = new BlobPath(FOLDER + "hero_" + JOB + ".png");
  private static final BlobPath VARIANT_2 = new BlobPath(FOLDER + "hero_" + JOB + "_v2.png");
  private static final UploadSettings FAST_RETRIES =
      new UploadSettings(64, Duration.ofSeconds(1), 2, Duration.ofMillis(10), 3, Duration.ofMillis(1), Duration.ofMillis(2));

  @TempDir
  Path root;

  private final LifecycleCodec codec = new LifecycleCodec();
  private final List<Exception> deadLettered = new CopyOnWriteArrayList<>();
  private final ExecutorService storage = Executors.newFixedThreadPool(2);
  private final byte[] first = TestImages.png(160, 90);
  private final byte[] second = TestImages.png(320, 180);
  private FilesystemBlobStore disk;
  private UploadDispatcher dispatcher;

  @BeforeEach
  void setUp() {
    disk = new FilesystemBlobStore(root);
    disk.putIfAbsent(JOB_PATH, first, new BlobMetadata("image/png", "private, no-cache", Map.of("variant", "1")));
    disk.putIfAbsent(VARIANT_2, second, new BlobMetadata("image/png", "private, max-age=31536000, immutable",
        Map.of("variant", "2")));
    ImageUploader uploader = new ImageUploader(disk, new ArtifactInspector(InspectionSettings.defaults()),
        event -> CompletableFuture.completedFuture(null), new EventMetadataFactory("upload", Clock.systemUTC()),
        FAST_RETRIES, new EndedRuns(Duration.ofDays(7), Clock.systemUTC()));
    dispatcher = new UploadDispatcher(new LifecycleRecords(codec), uploader,
        new VariantSelector(disk, new StorageRetries(FAST_RETRIES)), (record, reason) -> {
          deadLettered.add(reason);
          return CompletableFuture.completedFuture(null);
        }, storage, 2, Duration.ofMillis(10), JobTracing.disabled());
  }

  @AfterEach
  void stop() {
    storage.shutdownNow();
  }

  @Test
  void givenAVariantSelectedRecord_whenHandled_thenTheChosenVariantIsPlacedAtTheJobsPath() {
    assertThat(dispatcher.handle(record(selection(second)))).succeedsWithin(Duration.ofSeconds(5));

    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(second);
    assertThat(deadLettered).isEmpty();
  }

  @Test
  void givenASelectionWhoseShaIsNotTheStoredVariants_whenHandled_thenDeadLetteredAtOnceAndNothingIsWritten() {
    assertThat(dispatcher.handle(record(selection(first)))).succeedsWithin(Duration.ofSeconds(5));

    assertThat(deadLettered).singleElement().isInstanceOf(UnprocessableRecordException.class);
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
  }

  private static VariantSelected selection(byte[] claimed) {
    return VariantSelected.newBuilder()
        .setMetadata(Events.metadata(JOB, "gateway", 0))
        .setVariant(2)
        .setStoragePath(VARIANT_2.value())
        .setJobStoragePath(JOB_PATH.value())
        .setContentType("image/png")
        .setSizeBytes(claimed.length)
        .setSha256(TestImages.sha256(claimed))
        .setWidth(320)
        .setHeight(180)
        .build();
  }

  private ConsumerRecord<byte[], byte[]> record(SpecificRecord event) {
    return new ConsumerRecord<>(Topics.LIFECYCLE.name(), 0, 0, JOB.getBytes(StandardCharsets.UTF_8),
        codec.encode(event));
  }
}
