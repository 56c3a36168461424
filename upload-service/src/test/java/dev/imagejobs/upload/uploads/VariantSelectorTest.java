package dev.imagejobs.upload.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.VariantSelected;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.ForwardingBlobStore;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client's choice of one variant ({@code VariantSelected}) placed at the job's path. */
class VariantSelectorTest {

  private static final String JOB = "job-5c2e";
  private static final String FOLDER = "tenant_tenant-a/project_p1/branch_main/master-assets/";
  private static final BlobPath JOB_PATH = new BlobPath(FOLDER + "hero_" + JOB + ".png");
  private static final BlobPath VARIANT_1 = new BlobPath(FOLDER + "hero_" + JOB + "_v1.png");
  private static final BlobPath VARIANT_2 = new BlobPath(FOLDER + "hero_" + JOB + "_v2.png");
  private static final BlobPath VARIANT_3 = new BlobPath(FOLDER + "hero_" + JOB + "_v3.png");
  private static final UploadSettings FAST_RETRIES =
      new UploadSettings(64, Duration.ofSeconds(1), 2, Duration.ofMillis(10), 3, Duration.ofMillis(1), Duration.ofMillis(2));

  @TempDir
  Path root;

  private FilesystemBlobStore disk;
  private final AtomicInteger failingReplaces = new AtomicInteger();
  private VariantSelector selector;
  private final byte[] first = TestImages.png(160, 90);
  private final byte[] third = TestImages.png(320, 180);

  @BeforeEach
  void completeAJobOfThreeVariants() {
    disk = new FilesystemBlobStore(root);
    BlobStore store = new ForwardingBlobStore(disk) {
      @Override
      public void copyReplacing(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
        if (failingReplaces.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
          throw new StorageException("disk unavailable", new IOException("EIO"));
        }
        super.copyReplacing(source, target, metadata, durability);
      }
    };
    selector = new VariantSelector(store, new StorageRetries(FAST_RETRIES));
    BlobPath staged1 = BlobPath.of("staging", JOB, "attempt-1-v1.png");
    BlobPath staged3 = BlobPath.of("staging", JOB, "attempt-1-v3.png");
    disk.putIfAbsent(staged1, first, new BlobMetadata("image/png", null, Map.of()));
    disk.putIfAbsent(staged3, third, new BlobMetadata("image/png", null, Map.of()));
    new ImageUploader(disk, new ArtifactInspector(InspectionSettings.defaults()),
        event -> CompletableFuture.completedFuture(null), new EventMetadataFactory("upload", Clock.systemUTC()),
        FAST_RETRIES, new EndedRuns(Duration.ofDays(7), Clock.systemUTC()))
        .upload(TestImages.anImageGeneratedOfVariants(JOB, List.of(
            TestImages.aGeneratedVariant(1, staged1.value(), first, 160, 90, 39_000),
            TestImages.aFailedVariant(2, 0),
            TestImages.aGeneratedVariant(3, staged3.value(), third, 320, 180, 39_000))).build());
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).as("the first variant, until a client chooses")
        .isEqualTo(first);
  }

  @Test
  void givenAVariantIsSelected_whenPlaced_thenTheJobsPathHoldsItsBytesAndItsMetadata() throws IOException {
    Blob variant = disk.get(VARIANT_3).orElseThrow();

    selector.select(selection(3, VARIANT_3, third));

    Blob placed = disk.get(JOB_PATH).orElseThrow();
    assertThat(placed.content()).isEqualTo(third);
    assertThat(placed.metadata()).isEqualTo(new BlobMetadata("image/png", "private, no-cache",
        Map.of("jobId", JOB, "tenantId", "tenant-a", "variant", "3", "sha256", TestImages.sha256(third))));
    assertThat(placed.metadata().custom()).isEqualTo(variant.metadata().custom());
    assertThat(disk.get(VARIANT_3).orElseThrow().metadata()).as("the variant itself is untouched")
        .isEqualTo(variant.metadata());
    assertThat(fileKey(JOB_PATH)).as("a link to the variant's file, not a second copy").isEqualTo(fileKey(VARIANT_3));
  }

  @Test
  void givenASelectionDeliveredTwiceAndThenAnother_whenPlaced_thenTheRepeatChangesNothingAndTheLastOneWins() {
    selector.select(selection(3, VARIANT_3, third));
    Blob once = disk.get(JOB_PATH).orElseThrow();

    selector.select(selection(3, VARIANT_3, third));

    Blob twice = disk.get(JOB_PATH).orElseThrow();
    assertThat(twice.content()).isEqualTo(once.content());
    assertThat(twice.metadata()).isEqualTo(once.metadata());

    selector.select(selection(1, VARIANT_1, first));

    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
    assertThat(disk.get(JOB_PATH).orElseThrow().metadata().custom()).containsEntry("variant", "1");
  }

  @Test
  void givenAVariantPathOutsideTheJobsTenantFolder_whenSelected_thenUnprocessableAndNothingIsWritten() throws IOException {
    BlobPath otherTenants = BlobPath.of("tenant_tenant-b", "project_p1", "branch_main", "master-assets", "hero_x_v1.png");
    disk.putIfAbsent(otherTenants, third, new BlobMetadata("image/png", null, Map.of()));
    List<String> before = files();

    assertThatThrownBy(() -> selector.select(selection(3, otherTenants, third)))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessage("The variant's path " + otherTenants + " is outside the job's tenant folder tenant_tenant-a/");
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
    assertThat(files()).isEqualTo(before);
  }

  @Test
  void givenAJobPathOutsideTheJobsTenantFolder_whenSelected_thenUnprocessableAndNothingIsWritten() throws IOException {
    List<String> before = files();
    VariantSelected selection = selection(3, VARIANT_3, third);
    selection.setJobStoragePath("tenant_tenant-b/project_p1/branch_main/master-assets/hero_x.png");

    assertThatThrownBy(() -> selector.select(selection))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessageContaining("job's path").hasMessageContaining("outside the job's tenant folder tenant_tenant-a/");
    assertThat(files()).isEqualTo(before);
    assertThat(root.resolve("tenant_tenant-b")).doesNotExist();
  }

  @Test
  void givenAPathThatEscapesTheStore_whenSelected_thenUnprocessable() {
    VariantSelected selection = selection(3, VARIANT_3, third);
    selection.setStoragePath("tenant_tenant-a/../../etc/passwd");

    assertThatThrownBy(() -> selector.select(selection))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessage("The variant's path 'tenant_tenant-a/../../etc/passwd' is not a valid path");
  }

  @Test
  void givenAShaThatIsNotTheStoredVariants_whenSelected_thenUnprocessableAndTheJobsImageStays() throws IOException {
    List<String> before = files();

    assertThatThrownBy(() -> selector.select(selection(3, VARIANT_3, TestImages.png(320, 181))))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessageStartingWith("The image stored at " + VARIANT_3 + " has SHA-256 " + TestImages.sha256(third));
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
    assertThat(files()).isEqualTo(before);
  }

  @Test
  void givenAVariantThatWasNeverStored_whenSelected_thenUnprocessable() {
    assertThatThrownBy(() -> selector.select(selection(2, VARIANT_2, third)))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessage("Variant 2 of job " + JOB + " is not stored at " + VARIANT_2);
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);
  }

  @Test
  void givenTheJobsOwnPathAsTheVariants_whenSelected_thenUnprocessable() {
    assertThatThrownBy(() -> selector.select(selection(1, JOB_PATH, first)))
        .isInstanceOf(UnprocessableRecordException.class)
        .hasMessage("The chosen variant's path " + JOB_PATH + " is the job's own path");
  }

  @Test
  void givenAStoreThatKeepsFailing_whenSelected_thenAnOutageToRetryAndOnceItIsBackTheVariantIsPlaced() {
    failingReplaces.set(Integer.MAX_VALUE);

    assertThatThrownBy(() -> selector.select(selection(3, VARIANT_3, third)))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessage("Placing " + VARIANT_3 + " at " + JOB_PATH + " failed after 4 attempts: disk unavailable");
    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(first);

    failingReplaces.set(2);
    selector.select(selection(3, VARIANT_3, third));

    assertThat(disk.get(JOB_PATH).orElseThrow().content()).isEqualTo(third);
  }

  private static VariantSelected selection(int variant, BlobPath path, byte[] content) {
    return VariantSelected.newBuilder()
        .setMetadata(Events.metadata(JOB, "gateway", 0))
        .setVariant(variant)
        .setStoragePath(path.value())
        .setJobStoragePath(JOB_PATH.value())
        .setContentType("image/png")
        .setSizeBytes(content.length)
        .setSha256(TestImages.sha256(content))
        .setWidth(320)
        .setHeight(180)
        .build();
  }

  private Object fileKey(BlobPath path) throws IOException {
    return Files.readAttributes(root.resolve(path.value()), BasicFileAttributes.class).fileKey();
  }

  /** Every file of the store with its size and modification time, so that any write shows. */
  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(file -> !root.relativize(file).startsWith("~locks"))
          .map(file -> {
            try {
              BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
              return root.relativize(file) + " " + attributes.size() + " " + attributes.lastModifiedTime()
                  + " " + attributes.fileKey();
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          })
          .sorted().toList();
    }
  }
}
