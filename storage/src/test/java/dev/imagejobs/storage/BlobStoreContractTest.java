package dev.imagejobs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BlobStore} must have, written once and run against each implementation
 * by extending this class (shipped in the storage test-jar).
 */
public abstract class BlobStoreContractTest {

  protected static final BlobPath PATH = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1.png");
  protected static final BlobMetadata PNG_METADATA = new BlobMetadata(
      "image/png", "private, max-age=31536000, immutable", Map.of("jobId", "job-1", "tenantId", "tenant-a"));

  protected BlobStore store;

  /** A new, empty store for one test. */
  protected abstract BlobStore createStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = createStore();
  }

  @Test
  void givenAnEmptyStore_whenPutIfAbsent_thenCreatedAndReadable() {
    byte[] content = bytes("first image");

    PutOutcome outcome = store.putIfAbsent(PATH, content, PNG_METADATA);

    assertThat(outcome).isEqualTo(PutOutcome.CREATED);
    Blob blob = store.get(PATH).orElseThrow();
    assertThat(blob.content()).isEqualTo(content);
    assertThat(blob.metadata()).isEqualTo(PNG_METADATA);
  }

  @Test
  void givenAStoredObject_whenPutAgain_thenAlreadyExistsAndContentAndMetadataUnchanged() {
    store.putIfAbsent(PATH, bytes("first image"), PNG_METADATA);
    BlobMetadata other = new BlobMetadata("image/jpeg", "no-store", Map.of("jobId", "job-2"));

    PutOutcome outcome = store.putIfAbsent(PATH, bytes("second image"), other);

    assertThat(outcome).isEqualTo(PutOutcome.ALREADY_EXISTS);
    Blob blob = store.get(PATH).orElseThrow();
    assertThat(blob.content()).isEqualTo(bytes("first image"));
    assertThat(blob.metadata()).isEqualTo(PNG_METADATA);
  }

  @Test
  void givenConcurrentWritersOfOnePath_whenTheyPut_thenExactlyOneIsCreatedAndItsContentIsKept() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<PutOutcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        byte[] content = bytes("image of writer " + i);
        BlobMetadata metadata = new BlobMetadata("image/png", null, Map.of("writer", Integer.toString(i)));
        Callable<PutOutcome> put = () -> {
          start.await();
          return store.putIfAbsent(PATH, content, metadata);
        };
        outcomes.add(pool.submit(put));
      }

      start.countDown();

      List<Integer> created = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        if (outcomes.get(i).get(30, TimeUnit.SECONDS) == PutOutcome.CREATED) {
          created.add(i);
        }
      }
      assertThat(created).hasSize(1);
      int winner = created.get(0);
      Blob blob = store.get(PATH).orElseThrow();
      assertThat(blob.content()).isEqualTo(bytes("image of writer " + winner));
      assertThat(blob.metadata().custom()).containsEntry("writer", Integer.toString(winner));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void givenAWriteThatNeedNotSurviveAMachineCrash_whenPut_thenItIsCreateIfAbsentAndReadsBackExactly() {
    PutOutcome first = store.putIfAbsent(PATH, bytes("first image"), PNG_METADATA, Durability.SURVIVES_PROCESS_CRASH);
    PutOutcome second = store.putIfAbsent(PATH, bytes("second image"),
        new BlobMetadata("image/jpeg", null, Map.of()), Durability.SURVIVES_PROCESS_CRASH);

    assertThat(first).isEqualTo(PutOutcome.CREATED);
    assertThat(second).isEqualTo(PutOutcome.ALREADY_EXISTS);
    Blob blob = store.get(PATH).orElseThrow();
    assertThat(blob.content()).isEqualTo(bytes("first image"));
    assertThat(blob.metadata()).isEqualTo(PNG_METADATA);
    assertThat(store.putIfAbsent(PATH, bytes("third image"), PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH))
        .isEqualTo(PutOutcome.ALREADY_EXISTS);
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("first image"));
  }

  @Test
  void givenAStagedObject_whenCopied_thenTheTargetHasItsBytesWithItsOwnMetadataAndTheSourceStays() {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    BlobMetadata stagedMetadata = new BlobMetadata("image/png", "private, no-store", Map.of("attempt", "1"));
    store.putIfAbsent(staged, bytes("image"), stagedMetadata);

    PutOutcome outcome = store.copyIfAbsent(staged, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(outcome).isEqualTo(PutOutcome.CREATED);
    assertThat(store.get(PATH).orElseThrow()).satisfies(copy -> {
      assertThat(copy.content()).isEqualTo(bytes("image"));
      assertThat(copy.metadata()).isEqualTo(PNG_METADATA);
    });
    assertThat(store.get(staged).orElseThrow().metadata()).isEqualTo(stagedMetadata);
  }

  @Test
  void givenACopy_whenTheSourceIsDeleted_thenTheCopyStays() {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    store.putIfAbsent(staged, bytes("image"), PNG_METADATA);
    store.copyIfAbsent(staged, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    store.delete(staged);

    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("image"));
    assertThat(store.list(StagingArea.root())).isEmpty();
  }

  @Test
  void givenAnObjectAtTheTarget_whenCopiedOver_thenAlreadyExistsAndItIsUntouched() {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    store.putIfAbsent(staged, bytes("new image"), PNG_METADATA);
    store.putIfAbsent(PATH, bytes("first image"), PNG_METADATA);

    PutOutcome outcome = store.copyIfAbsent(staged, PATH, new BlobMetadata("image/jpeg", null, Map.of()),
        Durability.SURVIVES_MACHINE_CRASH);

    assertThat(outcome).isEqualTo(PutOutcome.ALREADY_EXISTS);
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("first image"));
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(PNG_METADATA);
  }

  @Test
  void givenNoSourceObject_whenCopied_thenStorageExceptionAndNothingIsWritten() {
    BlobPath missing = BlobPath.of("staging", "job-1", "attempt-1.png");

    assertThatThrownBy(
            () -> store.copyIfAbsent(missing, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH))
        .isInstanceOf(StorageException.class);
    assertThat(store.get(PATH)).isEmpty();
  }

  @Test
  void givenAnObjectAtTheTarget_whenCopiedReplacing_thenTheTargetHasTheSourcesBytesWithTheNewMetadata() {
    BlobPath variant = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png");
    BlobMetadata variantMetadata = new BlobMetadata("image/png", "private", Map.of("variant", "2"));
    store.putIfAbsent(variant, bytes("second variant"), variantMetadata);
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    BlobMetadata chosen = new BlobMetadata("image/webp", "private, no-cache", Map.of("jobId", "job-1", "variant", "2"));

    store.copyReplacing(variant, PATH, chosen, Durability.SURVIVES_MACHINE_CRASH);

    Blob replaced = store.get(PATH).orElseThrow();
    assertThat(replaced.content()).isEqualTo(bytes("second variant"));
    assertThat(replaced.metadata()).isEqualTo(chosen);
    assertThat(store.get(variant).orElseThrow()).satisfies(source -> {
      assertThat(source.content()).isEqualTo(bytes("second variant"));
      assertThat(source.metadata()).isEqualTo(variantMetadata);
    });
  }

  @Test
  void givenNoObjectAtTheTarget_whenCopiedReplacing_thenItIsCreated() {
    BlobPath variant = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png");
    store.putIfAbsent(variant, bytes("second variant"), PNG_METADATA);

    store.copyReplacing(variant, PATH, PNG_METADATA, Durability.SURVIVES_PROCESS_CRASH);

    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("second variant"));
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(PNG_METADATA);
  }

  @Test
  void givenNoSourceObject_whenCopiedReplacing_thenMissingObjectExceptionAndTheTargetIsUntouched() {
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    BlobPath missing = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v3.png");

    assertThatThrownBy(() -> store.copyReplacing(missing, PATH, new BlobMetadata("image/jpeg", null, Map.of()),
            Durability.SURVIVES_MACHINE_CRASH))
        .isInstanceOf(MissingObjectException.class)
        .hasMessageContaining(missing.value());
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("first variant"));
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(PNG_METADATA);
    assertThat(store.get(missing)).isEmpty();
  }

  @Test
  void givenAReplacedObject_whenReplacedAgainAndThenBack_thenEachTimeTheLatestCopyWholeAndOtherWritesStillCreateIfAbsent() {
    BlobPath first = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v1.png");
    BlobPath second = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png");
    BlobMetadata firstMetadata = new BlobMetadata("image/png", null, Map.of("variant", "1"));
    BlobMetadata secondMetadata = new BlobMetadata("image/jpeg", null, Map.of("variant", "2"));
    store.putIfAbsent(first, bytes("first variant"), PNG_METADATA);
    store.putIfAbsent(second, bytes("second variant, longer"), PNG_METADATA);
    store.copyIfAbsent(first, PATH, firstMetadata, Durability.SURVIVES_MACHINE_CRASH);

    store.copyReplacing(second, PATH, secondMetadata, Durability.SURVIVES_MACHINE_CRASH);
    store.copyReplacing(second, PATH, secondMetadata, Durability.SURVIVES_MACHINE_CRASH);
    assertThat(store.get(PATH).orElseThrow()).satisfies(blob -> {
      assertThat(blob.content()).isEqualTo(bytes("second variant, longer"));
      assertThat(blob.metadata()).isEqualTo(secondMetadata);
    });
    store.copyReplacing(first, PATH, firstMetadata, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(store.get(PATH).orElseThrow()).satisfies(blob -> {
      assertThat(blob.content()).isEqualTo(bytes("first variant"));
      assertThat(blob.metadata()).isEqualTo(firstMetadata);
    });
    assertThat(store.putIfAbsent(PATH, bytes("other"), PNG_METADATA)).isEqualTo(PutOutcome.ALREADY_EXISTS);
    assertThat(store.copyIfAbsent(second, PATH, secondMetadata, Durability.SURVIVES_MACHINE_CRASH))
        .isEqualTo(PutOutcome.ALREADY_EXISTS);
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("first variant"));
    assertThat(store.list(BlobPath.of("project_p1"))).extracting(entry -> entry.path().value())
        .containsExactly(PATH.value(), first.value(), second.value());
  }

  @Test
  void givenAReplacedObject_whenDeleted_thenGoneAndThePathCanBeCreatedAgain() {
    BlobPath variant = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png");
    store.putIfAbsent(variant, bytes("second variant"), PNG_METADATA);
    store.copyReplacing(variant, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(store.delete(PATH)).isTrue();

    assertThat(store.get(PATH)).isEmpty();
    BlobMetadata other = new BlobMetadata("image/jpeg", null, Map.of());
    assertThat(store.putIfAbsent(PATH, bytes("second variant"), other)).isEqualTo(PutOutcome.CREATED);
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(other);
  }

  @Test
  void givenNoObject_whenGet_thenEmpty() {
    assertThat(store.get(PATH)).isEmpty();
  }

  @Test
  void givenObjectsBelowAFolder_whenGetTheFolder_thenEmpty() {
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);

    assertThat(store.get(BlobPath.of("project_p1", "branch_main"))).isEmpty();
  }

  @Test
  void givenAStoredObject_whenDeleted_thenGoneAndThePathCanBeWrittenAgain() {
    store.putIfAbsent(PATH, bytes("first image"), PNG_METADATA);

    assertThat(store.delete(PATH)).isTrue();

    assertThat(store.get(PATH)).isEmpty();
    assertThat(store.delete(PATH)).isFalse();
    BlobMetadata other = new BlobMetadata("image/webp", null, Map.of());
    assertThat(store.putIfAbsent(PATH, bytes("second image"), other)).isEqualTo(PutOutcome.CREATED);
    Blob blob = store.get(PATH).orElseThrow();
    assertThat(blob.content()).isEqualTo(bytes("second image"));
    assertThat(blob.metadata()).isEqualTo(other);
  }

  @Test
  void givenTwoObjectsInOneFolder_whenOneIsDeleted_thenTheOtherStays() {
    BlobPath sibling = BlobPath.of("project_p1", "branch_main", "master-assets", "villain_job-2.png");
    store.putIfAbsent(PATH, bytes("hero"), PNG_METADATA);
    store.putIfAbsent(sibling, bytes("villain"), PNG_METADATA);

    store.delete(PATH);

    assertThat(store.get(sibling).orElseThrow().content()).isEqualTo(bytes("villain"));
  }

  @Test
  void givenMetadataWithAwkwardValues_whenStored_thenItRoundTripsExactly() {
    BlobMetadata metadata = new BlobMetadata(
        "image/png",
        "private, max-age=31536000, immutable",
        Map.of(
            "sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "note", "a=b: c # not a comment\nsecond line \\ backslash",
            "unicode", "Zoë – 画像",
            "empty", ""));

    store.putIfAbsent(PATH, bytes("image"), metadata);

    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(metadata);
  }

  @Test
  void givenAnEmptyObject_whenStored_thenItReadsBackEmpty() {
    store.putIfAbsent(PATH, new byte[0], PNG_METADATA);

    assertThat(store.get(PATH).orElseThrow().content()).isEmpty();
  }

  @Test
  void givenAPath_whenAskedForItsUri_thenAnAbsoluteUriEndingWithThePath() {
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);

    var uri = store.uri(PATH);

    assertThat(uri.isAbsolute()).isTrue();
    assertThat(uri.toString()).endsWith("/" + PATH.value());
    assertThat(store.uri(PATH)).isEqualTo(uri);
  }

  @Test
  void givenObjectsInNestedFolders_whenListingAFolder_thenEveryObjectBelowItInPathOrderAndNothingElse() {
    store.putIfAbsent(BlobPath.of("staging", "job-2", "attempt-1.png"), bytes("two"), PNG_METADATA);
    store.putIfAbsent(BlobPath.of("staging", "job-1", "retry-1", "attempt-1.png"), bytes("one-retry"), PNG_METADATA);
    store.putIfAbsent(BlobPath.of("staging", "job-1", "attempt-1.png"), bytes("one"), PNG_METADATA);
    store.putIfAbsent(BlobPath.of("stagingx", "other.png"), bytes("outside"), PNG_METADATA);
    store.putIfAbsent(PATH, bytes("final"), PNG_METADATA);
    Instant before = Instant.now().minusSeconds(60);

    List<BlobListing> listing = store.list(StagingArea.root());

    assertThat(listing).extracting(entry -> entry.path().value()).containsExactly(
        "staging/job-1/attempt-1.png", "staging/job-1/retry-1/attempt-1.png", "staging/job-2/attempt-1.png");
    assertThat(listing.get(0).sizeBytes()).isEqualTo(3);
    assertThat(listing).allSatisfy(entry -> assertThat(entry.createdAt()).isAfter(before));
    assertThat(store.list(BlobPath.of("staging", "job-3"))).isEmpty();
  }

  @Test
  void givenADeletedObject_whenListing_thenItIsGone() {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    store.putIfAbsent(staged, bytes("one"), PNG_METADATA);

    store.delete(staged);

    assertThat(store.list(StagingArea.root())).isEmpty();
  }

  @Test
  void givenACancelRequest_whenMarkedTwice_thenTheRunReadsAsCanceledAndOthersDoNot() {
    StagingArea.markCanceled(store, "job-1", 0, "tenant-a");
    StagingArea.markCanceled(store, "job-1", 0, "tenant-a");

    assertThat(StagingArea.isCanceled(store, "job-1", 0)).isTrue();
    assertThat(StagingArea.isCanceled(store, "job-1", 1)).as("the job's retry").isFalse();
    assertThat(StagingArea.isCanceled(store, "job-2", 0)).isFalse();
  }

  @Test
  void givenACancelOfARetry_thenOnlyThatRunReadsAsCanceledAndItsMarkerLiesInTheRunsFolder() {
    StagingArea.markCanceled(store, "job-1", 2, "tenant-a");

    assertThat(StagingArea.isCanceled(store, "job-1", 2)).isTrue();
    assertThat(StagingArea.isCanceled(store, "job-1", 0)).isFalse();
    assertThat(StagingArea.cancelMarker("job-1", 2).value()).isEqualTo("staging/job-1/retry-2/cancel-requested");
    assertThat(StagingArea.cancelMarker("job-1", 0).value()).as("where every marker lived before runs")
        .isEqualTo("staging/job-1/cancel-requested");
  }

  @Test
  void givenAStoredImage_whenMarked_thenItsStagedPathReadsAsStoredAndOthersDoNot() {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");

    StagingArea.markStored(store, staged, "job-1");

    assertThat(StagingArea.isStored(store, staged)).isTrue();
    assertThat(StagingArea.isStored(store, BlobPath.of("staging", "job-1", "attempt-2.png"))).isFalse();
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
