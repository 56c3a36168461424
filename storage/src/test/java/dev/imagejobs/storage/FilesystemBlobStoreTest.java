package dev.imagejobs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContractTest {

  private static final BlobPath VARIANT = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png");
  private static final BlobMetadata CHOSEN =
      new BlobMetadata("image/png", "private, no-cache", Map.of("jobId", "job-1", "variant", "2"));

  @TempDir
  Path temp;

  Path root;

  @Override
  protected BlobStore createStore() {
    root = temp.resolve("storage").resolve("asset-images");
    return new FilesystemBlobStore(root);
  }

  @Test
  void givenAnObject_whenOpenedAsAStream_thenItsBytesSizeAndMetadataAreReadFromTheFileEvenIfDeletedMeanwhile()
      throws IOException {
    store.putIfAbsent(PATH, bytes("streamed image"), PNG_METADATA);

    try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
      store.delete(PATH);
      assertThat(stream.size()).isEqualTo(bytes("streamed image").length);
      assertThat(stream.metadata()).isEqualTo(PNG_METADATA);
      assertThat(stream.content().readAllBytes()).isEqualTo(bytes("streamed image"));
    }
    assertThat(store.openStream(PATH)).isEmpty();
  }

  @Test
  void givenARootThatDoesNotExist_whenTheStoreOpens_thenTheRootIsCreated() {
    assertThat(root).isDirectory();
  }

  @Test
  void givenAPut_whenLookingAtTheDisk_thenThePlainBytesAreAtRootSlashPathAndTheUriNamesThatFile() throws IOException {
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);

    Path file = root.resolve("project_p1/branch_main/master-assets/hero_job-1.png");
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes("image"));
    assertThat(Path.of(store.uri(PATH))).isEqualTo(file.toRealPath());
    assertThat(store.uri(PATH).getScheme()).isEqualTo("file");
  }

  @Test
  void givenConcurrentWriters_whenTheyAreDone_thenNoTemporaryFileIsLeft() throws Exception {
    concurrentPuts(List.of(store, store, store, store));

    assertThat(filesUnder(root)).noneMatch(name -> name.endsWith(".tmp"));
  }

  @Test
  void givenTwoStoresOnOneRoot_whenTheyPutOnePathConcurrently_thenExactlyOneIsCreated() throws Exception {
    BlobStore other = new FilesystemBlobStore(root);

    List<PutOutcome> outcomes = concurrentPuts(List.of(store, other, store, other));

    assertThat(outcomes).containsOnlyOnce(PutOutcome.CREATED);
  }

  @Test
  void givenAnOrphanSidecarLeftByACrash_whenGetAndPut_thenAbsentThenCreatedWithTheNewMetadata() throws IOException {
    Path directory = Files.createDirectories(root.resolve("project_p1/branch_main/master-assets"));
    Files.writeString(directory.resolve("hero_job-1.png~meta"), "contentType=text/plain\n");

    assertThat(store.get(PATH)).isEmpty();
    assertThat(store.putIfAbsent(PATH, bytes("image"), PNG_METADATA)).isEqualTo(PutOutcome.CREATED);
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(PNG_METADATA);
  }

  @Test
  void givenATemporaryFileLeftByACrash_whenPut_thenCreatedAndTheObjectIsComplete() throws IOException {
    Path directory = Files.createDirectories(root.resolve("project_p1/branch_main/master-assets"));
    Files.writeString(directory.resolve("hero_job-1.png~0123.tmp"), "half an ima");

    assertThat(store.putIfAbsent(PATH, bytes("image"), PNG_METADATA)).isEqualTo(PutOutcome.CREATED);
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("image"));
  }

  @Test
  void givenASymlinkInsideTheRootPointingOutside_whenPutThroughIt_thenRefusedAndNothingWrittenOutside()
      throws IOException {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("project_evil"), outside);

    BlobPath path = BlobPath.of("project_evil", "branch_main", "x.png");

    assertThatThrownBy(() -> store.putIfAbsent(path, bytes("image"), PNG_METADATA))
        .isInstanceOf(StorageException.class);
    Files.createDirectories(outside.resolve("branch_main"));
    assertThatThrownBy(() -> store.putIfAbsent(path, bytes("image"), PNG_METADATA))
        .isInstanceOf(StorageException.class);
    assertThat(filesUnder(outside)).isEmpty();
  }

  @Test
  void givenAStagedObject_whenDeleted_thenItsEmptyFoldersGoButTheRootStays() throws IOException {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    store.putIfAbsent(staged, bytes("image"), PNG_METADATA);

    store.delete(staged);

    assertThat(root.resolve("staging")).doesNotExist();
    assertThat(root).isDirectory();
    assertThat(filesUnder(root)).noneMatch(name -> name.contains("attempt-1"));
  }

  @Test
  void givenAnObjectWhereAFolderIsNeeded_whenPutBelowIt_thenStorageException() {
    store.putIfAbsent(BlobPath.of("a"), bytes("file"), PNG_METADATA);

    assertThatThrownBy(() -> store.putIfAbsent(BlobPath.of("a", "b"), bytes("image"), PNG_METADATA))
        .isInstanceOf(StorageException.class);
    assertThat(store.get(BlobPath.of("a", "b"))).isEmpty();
    assertThat(store.delete(BlobPath.of("a", "b"))).isFalse();
  }

  @Test
  void givenAFileCopiedInByHand_whenGet_thenServedAsUntypedBytes() throws IOException {
    Files.writeString(root.resolve("manual.png"), "bytes", StandardCharsets.UTF_8);

    Blob blob = store.get(BlobPath.of("manual.png")).orElseThrow();

    assertThat(blob.content()).isEqualTo(bytes("bytes"));
    assertThat(blob.metadata()).isEqualTo(new BlobMetadata("application/octet-stream", null, Map.of()));
  }

  @Test
  void givenAnImageThatMustSurviveAMachineCrash_whenPutInAnExistingFolder_thenBytesSidecarAndFolderAreSynced() {
    store.putIfAbsent(BlobPath.of("project_p1", "branch_main", "master-assets", "other.png"), bytes("x"), PNG_METADATA);
    long before = filesystem().syncs();

    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(filesystem().syncs() - before).isEqualTo(3);
  }

  @Test
  void givenAnImageThatMustSurviveAMachineCrash_whenPutInANewFolder_thenTheNewFolderIsSyncedInItsParentToo() {
    store.putIfAbsent(BlobPath.of("staging", "job-0", "attempt-1.png"), bytes("x"), PNG_METADATA);
    long before = filesystem().syncs();

    store.putIfAbsent(BlobPath.of("staging", "job-1", "attempt-1.png"), bytes("image"), PNG_METADATA);

    assertThat(filesystem().syncs() - before).isEqualTo(4);
  }

  @Test
  void givenAWriteThatNeedNotSurviveAMachineCrash_whenPut_thenNothingIsSyncedAndNoTemporaryFileIsLeft() {
    long before = filesystem().syncs();

    store.putIfAbsent(StagingArea.storedMarker(BlobPath.of("staging", "job-1", "attempt-1.png")), new byte[0],
        PNG_METADATA, Durability.SURVIVES_PROCESS_CRASH);

    assertThat(filesystem().syncs()).isEqualTo(before);
    assertThat(filesystem().get(StagingArea.storedMarker(BlobPath.of("staging", "job-1", "attempt-1.png"))))
        .isPresent();
    assertThat(filesystemFiles()).noneMatch(name -> name.endsWith(".tmp"));
  }

  @Test
  void givenAStoredObject_whenDeleted_thenNothingIsSynced() {
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);
    long before = filesystem().syncs();

    assertThat(store.delete(PATH)).isTrue();

    assertThat(filesystem().syncs()).isEqualTo(before);
  }

  @Test
  void givenTheStoredMarker_whenWritten_thenItIsNotSyncedButTheCancelMarkerIs() {
    long before = filesystem().syncs();
    StagingArea.markStored(store, BlobPath.of("staging", "job-1", "attempt-1.png"), "job-1");
    long afterStored = filesystem().syncs();

    StagingArea.markCanceled(store, "job-1", 0, "tenant-a");

    assertThat(afterStored).isEqualTo(before);
    assertThat(filesystem().syncs() - afterStored).isEqualTo(3);
  }

  @Test
  void givenADurableStagedImage_whenCopiedDurably_thenTheBytesAreNotWrittenAgainAndOnlyTheSidecarAndFolderCost()
      throws IOException {
    BlobPath staged = BlobPath.of("staging", "job-1", "attempt-1.png");
    store.putIfAbsent(staged, bytes("image"), PNG_METADATA);
    store.putIfAbsent(BlobPath.of("project_p1", "branch_main", "master-assets", "other.png"), bytes("x"), PNG_METADATA);
    long before = filesystem().syncs();

    store.copyIfAbsent(staged, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    // The source's fsync finds nothing left to write; the sidecar and the folder are new.
    assertThat(filesystem().syncs() - before).isEqualTo(3);
    Object stagedFile = Files.readAttributes(root.resolve(staged.value()), BasicFileAttributes.class).fileKey();
    Object finalFile = Files.readAttributes(root.resolve(PATH.value()), BasicFileAttributes.class).fileKey();
    assertThat(finalFile).as("one file, linked twice").isEqualTo(stagedFile);
  }

  @Test
  void givenAVariantThatMustSurviveAMachineCrash_whenCopiedReplacingInAnExistingFolder_thenItsFileTheSidecarAndTheFolderAreSynced()
      throws IOException {
    store.putIfAbsent(VARIANT, bytes("second variant"), PNG_METADATA);
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    long before = filesystem().syncs();

    store.copyReplacing(VARIANT, PATH, CHOSEN, Durability.SURVIVES_MACHINE_CRASH);

    // The variant's fsync finds nothing left to write; the sidecar and the folder are new.
    assertThat(filesystem().syncs() - before).isEqualTo(3);
    assertThat(fileKeyOf(PATH)).as("one file, linked twice").isEqualTo(fileKeyOf(VARIANT));
    assertThat(filesystemFiles()).noneMatch(name -> name.endsWith(".tmp") || name.endsWith("~meta-next"));
  }

  @Test
  void givenAReplaceThatNeedNotSurviveAMachineCrash_whenCopiedReplacing_thenNothingIsSynced() {
    store.putIfAbsent(VARIANT, bytes("second variant"), PNG_METADATA);
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    long before = filesystem().syncs();

    store.copyReplacing(VARIANT, PATH, CHOSEN, Durability.SURVIVES_PROCESS_CRASH);

    assertThat(filesystem().syncs()).isEqualTo(before);
    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(CHOSEN);
  }

  @Test
  void givenTheTargetIsAlreadyALinkOfTheSourcesFile_whenCopiedReplacing_thenOnlyTheMetadataChangesAndNoNameIsLeft()
      throws IOException {
    store.putIfAbsent(VARIANT, bytes("second variant"), PNG_METADATA);
    store.copyIfAbsent(VARIANT, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    store.copyReplacing(VARIANT, PATH, CHOSEN, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(store.get(PATH).orElseThrow()).satisfies(blob -> {
      assertThat(blob.content()).isEqualTo(bytes("second variant"));
      assertThat(blob.metadata()).isEqualTo(CHOSEN);
    });
    assertThat(filesystemFiles()).filteredOn(name -> !name.startsWith(FilesystemBlobStore.LOCK_DIRECTORY))
        .noneMatch(name -> name.contains("~") && !name.endsWith("~meta"));
  }

  @Test
  void givenAReplacedObject_whenOpenedAsAStream_thenTheNewBytesAndMetadata() throws Exception {
    store.putIfAbsent(VARIANT, bytes("second variant"), PNG_METADATA);
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);

    store.copyReplacing(VARIANT, PATH, CHOSEN, Durability.SURVIVES_MACHINE_CRASH);

    try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
      assertThat(stream.metadata()).isEqualTo(CHOSEN);
      assertThat(stream.content().readAllBytes()).isEqualTo(bytes("second variant"));
    }
  }

  @Test
  void givenACrashAfterThePendingSidecarWasPublishedButBeforeTheBytes_whenRead_thenTheOldObjectWhole() throws IOException {
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    Files.writeString(pendingSidecar(PATH), pendingSidecarText(CHOSEN, bytes("second variant")));

    assertThat(store.get(PATH).orElseThrow()).satisfies(blob -> {
      assertThat(blob.content()).isEqualTo(bytes("first variant"));
      assertThat(blob.metadata()).isEqualTo(PNG_METADATA);
    });
    try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
      assertThat(stream.metadata()).isEqualTo(PNG_METADATA);
      assertThat(stream.content().readAllBytes()).isEqualTo(bytes("first variant"));
    }
  }

  @Test
  void givenACrashBetweenTheBytesAndTheSidecarRename_whenRead_thenTheNewObjectWholeUntilTheNextWriteTidiesUp()
      throws IOException {
    store.putIfAbsent(PATH, bytes("first variant"), PNG_METADATA);
    Files.writeString(pendingSidecar(PATH), pendingSidecarText(CHOSEN, bytes("second variant")));
    Path replacement = Files.writeString(root.resolve(PATH.value() + "~crash.tmp"), "second variant");
    Files.move(replacement, root.resolve(PATH.value()), StandardCopyOption.ATOMIC_MOVE);

    assertThat(store.get(PATH).orElseThrow()).satisfies(blob -> {
      assertThat(blob.content()).isEqualTo(bytes("second variant"));
      assertThat(blob.metadata()).isEqualTo(CHOSEN);
    });
    try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
      assertThat(stream.metadata()).isEqualTo(CHOSEN);
      assertThat(stream.content().readAllBytes()).isEqualTo(bytes("second variant"));
    }

    store.putIfAbsent(VARIANT, bytes("third variant"), PNG_METADATA);
    store.copyReplacing(VARIANT, PATH, PNG_METADATA, Durability.SURVIVES_MACHINE_CRASH);

    assertThat(pendingSidecar(PATH)).doesNotExist();
    assertThat(store.get(PATH).orElseThrow().content()).isEqualTo(bytes("third variant"));
  }

  @Test
  void givenAPendingSidecarOfAReplaceCutShortOnAnAbsentPath_whenTheSameBytesArePut_thenTheyReadWithThePutsMetadata()
      throws IOException {
    Files.createDirectories(root.resolve(PATH.value()).getParent());
    Files.writeString(pendingSidecar(PATH), pendingSidecarText(CHOSEN, bytes("image")));

    assertThat(store.get(PATH)).isEmpty();
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);

    assertThat(store.get(PATH).orElseThrow().metadata()).isEqualTo(PNG_METADATA);
    assertThat(pendingSidecar(PATH)).doesNotExist();
  }

  @Test
  void givenReadersDuringManyReplaces_whenTheyRead_thenEachSeesBytesAndMetadataOfOneVariantNeverMixed() throws Exception {
    BlobPath[] variants = {
        BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v1.png"),
        BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1_v2.png")};
    for (int v = 0; v < variants.length; v++) {
      store.putIfAbsent(variants[v], bytes("variant " + (v + 1) + " ".repeat(v * 100)), PNG_METADATA);
    }
    store.copyIfAbsent(variants[0], PATH, variantMetadata(1), Durability.SURVIVES_PROCESS_CRASH);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean replacing = new AtomicBoolean(true);
    try {
      Future<Integer> replaces = pool.submit(() -> {
        int count = 0;
        for (; count < 300; count++) {
          int variant = count % 2 + 1;
          store.copyReplacing(variants[variant - 1], PATH, variantMetadata(variant), Durability.SURVIVES_PROCESS_CRASH);
        }
        replacing.set(false);
        return count;
      });
      Callable<Integer> getter = () -> {
        int reads = 0;
        while (replacing.get()) {
          Blob blob = store.get(PATH).orElseThrow();
          assertThat(new String(blob.content(), StandardCharsets.UTF_8).strip())
              .isEqualTo("variant " + blob.metadata().custom().get("variant"));
          reads++;
        }
        return reads;
      };
      Callable<Integer> streamer = () -> {
        int reads = 0;
        while (replacing.get()) {
          try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
            assertThat(new String(stream.content().readAllBytes(), StandardCharsets.UTF_8).strip())
                .isEqualTo("variant " + stream.metadata().custom().get("variant"));
          }
          reads++;
        }
        return reads;
      };
      Future<Integer> gets = pool.submit(getter);
      Future<Integer> streams = pool.submit(streamer);

      assertThat(replaces.get(60, TimeUnit.SECONDS)).isEqualTo(300);
      assertThat(gets.get(60, TimeUnit.SECONDS)).isPositive();
      assertThat(streams.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      replacing.set(false);
      pool.shutdownNow();
    }
    assertThat(filesystemFiles()).noneMatch(name -> name.endsWith(".tmp") || name.endsWith("~meta-next"));
  }

  private static BlobMetadata variantMetadata(int variant) {
    return new BlobMetadata("image/png", "private, no-cache", Map.of("variant", Integer.toString(variant)));
  }

  private Path pendingSidecar(BlobPath path) {
    return root.resolve(path.value() + FilesystemBlobStore.PENDING_SIDECAR_SUFFIX);
  }

  /** The pending sidecar a replace publishes before the bytes, as the store writes it. */
  private static String pendingSidecarText(BlobMetadata metadata, byte[] content) {
    StringBuilder text = new StringBuilder()
        .append(FilesystemBlobStore.OBJECT_SHA256).append('=').append(Sha256.hex(content)).append('\n')
        .append("contentType=").append(metadata.contentType()).append('\n');
    if (metadata.cacheControl() != null) {
      text.append("cacheControl=").append(metadata.cacheControl()).append('\n');
    }
    metadata.custom().forEach((key, value) -> text.append("custom.").append(key).append('=').append(value).append('\n'));
    return text.toString();
  }

  private Object fileKeyOf(BlobPath path) throws IOException {
    return Files.readAttributes(root.resolve(path.value()), BasicFileAttributes.class).fileKey();
  }

  private FilesystemBlobStore filesystem() {
    return (FilesystemBlobStore) store;
  }

  private List<String> filesystemFiles() {
    try {
      return filesUnder(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<PutOutcome> concurrentPuts(List<BlobStore> stores) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(stores.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<PutOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < stores.size(); i++) {
        BlobStore writer = stores.get(i);
        byte[] content = bytes("writer " + i);
        Callable<PutOutcome> put = () -> {
          start.await();
          return writer.putIfAbsent(PATH, content, PNG_METADATA);
        };
        futures.add(pool.submit(put));
      }
      start.countDown();
      List<PutOutcome> outcomes = new ArrayList<>();
      for (Future<PutOutcome> future : futures) {
        outcomes.add(future.get(30, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> filesUnder(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).map(file -> directory.relativize(file).toString()).toList();
    }
  }
}
