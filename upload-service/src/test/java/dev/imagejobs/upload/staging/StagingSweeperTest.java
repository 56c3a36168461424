package dev.imagejobs.upload.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.imagejobs.storage.BlobListing;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.ForwardingBlobStore;
import dev.imagejobs.storage.StagingArea;
import dev.imagejobs.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingSweeperTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final Duration MAX_AGE = Duration.ofHours(24);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir
  Path root;

  private FilesystemBlobStore disk;

  @BeforeEach
  void setUp() {
    disk = new FilesystemBlobStore(root);
  }

  @Test
  void givenStagedImagesAndCancelMarkersOfAllAges_whenSwept_thenOnlyThoseOlderThanTheMaxAgeAreRemoved()
      throws IOException {
    BlobPath oldImage = staged("job-old", "attempt-1.png", NOW.minus(Duration.ofHours(30)));
    BlobPath oldMarker = cancelMarker("job-old", NOW.minus(Duration.ofHours(25)));
    BlobPath youngImage = staged("job-young", "attempt-2.png", NOW.minus(Duration.ofHours(2)));
    BlobPath youngMarker = cancelMarker("job-young", NOW.minus(Duration.ofMinutes(5)));
    BlobPath exactlyMaxAge = staged("job-edge", "attempt-1.png", NOW.minus(MAX_AGE));
    BlobPath finalImage = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-old.png");
    put(finalImage, NOW.minus(Duration.ofDays(90)));

    int removed = new StagingSweeper(disk, CLOCK, MAX_AGE).sweep();

    assertThat(removed).isEqualTo(2);
    assertThat(disk.get(oldImage)).isEmpty();
    assertThat(disk.get(oldMarker)).isEmpty();
    assertThat(StagingArea.isCanceled(disk, "job-old", 0)).isFalse();
    assertThat(disk.get(youngImage)).isPresent();
    assertThat(disk.get(youngMarker)).isPresent();
    assertThat(StagingArea.isCanceled(disk, "job-young", 0)).isTrue();
    assertThat(disk.get(exactlyMaxAge)).as("not older than the max age").isPresent();
    assertThat(disk.get(finalImage)).as("final images are outside the staging area").isPresent();
    assertThat(root.resolve(StagingArea.folder("job-old").value())).as("emptied folders go too").doesNotExist();
  }

  @Test
  void givenAnEmptyOrMissingStagingArea_whenSwept_thenNothingIsRemoved() {
    assertThat(new StagingSweeper(disk, CLOCK, MAX_AGE).sweep()).isZero();
  }

  @Test
  void givenAStoreThatCannotList_whenSwept_thenTheSweepEndsWithoutThrowing() throws IOException {
    BlobPath oldImage = staged("job-old", "attempt-1.png", NOW.minus(Duration.ofHours(30)));
    FailingStore store = new FailingStore(disk);
    store.failLists = true;

    int removed = new StagingSweeper(store, CLOCK, MAX_AGE).sweep();

    assertThat(removed).isZero();
    assertThat(disk.get(oldImage)).isPresent();
  }

  @Test
  void givenOneObjectThatCannotBeDeleted_whenSwept_thenTheOthersAreStillRemoved() throws IOException {
    BlobPath stuck = staged("job-a", "attempt-1.png", NOW.minus(Duration.ofHours(30)));
    BlobPath other = staged("job-b", "attempt-1.png", NOW.minus(Duration.ofHours(30)));
    FailingStore store = new FailingStore(disk);
    store.undeletable = stuck;

    int removed = new StagingSweeper(store, CLOCK, MAX_AGE).sweep();

    assertThat(removed).isEqualTo(1);
    assertThat(disk.get(stuck)).isPresent();
    assertThat(disk.get(other)).isEmpty();
  }

  @Test
  void givenAClockThatMovedOn_whenSweptAgain_thenObjectsThatAgedMeanwhileAreRemoved() throws IOException {
    BlobPath image = staged("job-7f3a", "attempt-1.png", NOW.minus(Duration.ofHours(23)));
    StagingSweeper first = new StagingSweeper(disk, CLOCK, MAX_AGE);
    StagingSweeper later = new StagingSweeper(disk, Clock.offset(CLOCK, Duration.ofHours(2)), MAX_AGE);

    int removedFirst = first.sweep();
    int removedLater = later.sweep();

    assertThat(removedFirst).isZero();
    assertThat(removedLater).isEqualTo(1);
    assertThat(disk.get(image)).isEmpty();
  }

  @Test
  void givenNonPositiveDurations_whenSettingsAreBound_thenRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new StagingSettings(Duration.ZERO, Duration.ofHours(1)))
        .withMessageContaining("max-age");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new StagingSettings(Duration.ofHours(24), Duration.ofSeconds(-1)))
        .withMessageContaining("sweep-interval");
  }

  private BlobPath staged(String jobId, String name, Instant createdAt) throws IOException {
    BlobPath path = BlobPath.of(StagingArea.PREFIX, jobId, name);
    put(path, createdAt);
    return path;
  }

  private BlobPath cancelMarker(String jobId, Instant createdAt) throws IOException {
    StagingArea.markCanceled(disk, jobId, 0, "tenant-a");
    BlobPath marker = disk.list(StagingArea.folder(jobId)).stream()
        .map(BlobListing::path)
        .filter(path -> !path.value().endsWith(".png"))
        .findFirst()
        .orElseThrow();
    age(marker, createdAt);
    return marker;
  }

  private void put(BlobPath path, Instant createdAt) throws IOException {
    disk.putIfAbsent(path, new byte[] {1, 2, 3}, new BlobMetadata("image/png", null, Map.of()));
    age(path, createdAt);
  }

  /** The filesystem store reports a file's modification time as its creation time. */
  private void age(BlobPath path, Instant createdAt) throws IOException {
    Files.setLastModifiedTime(disk.root().resolve(path.value()), FileTime.from(createdAt));
  }

  /** A store whose listing or one object's delete fails, as an unreachable bucket would. */
  private static final class FailingStore extends ForwardingBlobStore {
    boolean failLists;
    BlobPath undeletable;

    FailingStore(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public boolean delete(BlobPath path) {
      if (path.equals(undeletable)) {
        throw new StorageException("Cannot delete " + path, new IOException("EACCES"));
      }
      return super.delete(path);
    }

    @Override
    public List<BlobListing> list(BlobPath folder) {
      if (failLists) {
        throw new StorageException("Cannot list " + folder, new IOException("EIO"));
      }
      return super.list(folder);
    }
  }

}
