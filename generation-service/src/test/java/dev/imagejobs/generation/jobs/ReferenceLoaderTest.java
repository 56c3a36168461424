package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.generation.testing.InMemoryBlobStore;
import dev.imagejobs.generation.testing.ReferenceImages;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.messaging.ModelSettings;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import java.awt.Color;
import java.awt.Rectangle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReferenceLoaderTest {
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private final ExecutorService work = Executors.newFixedThreadPool(2);
  private final AtomicInteger reads = new AtomicInteger();
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final ModelCatalogue catalogue = new ModelCatalogue(new ModelSettings(Map.of()));

  @AfterEach
  void stopWorkers() {
    work.shutdownNow();
  }

  @Test
  void givenReferences_whenLoaded_thenTheirBytesComeInOrderFromTheStoreOnTheWorkThreads() {
    byte[] red = ReferenceImages.solidPng(8, 8, Color.RED);
    byte[] blue = ReferenceImages.solidJpeg(8, 8, Color.BLUE);
    List<ReferenceImage> references = List.of(
        ReferenceImages.stored(store, "ref-red", red, "image/png"),
        ReferenceImages.stored(store, "ref-blue", blue, "image/jpeg"));
    ReferenceLoader loader = loader(1 << 20);

    ReferenceLoader.Loaded loaded = loader.load(specWith(references)).join();

    assertThat(loaded.images()).extracting(ReferenceInput::contentType).containsExactly("image/png", "image/jpeg");
    assertThat(loaded.images()).extracting(ReferenceInput::content).containsExactly(red, blue);
    assertThat(reads).as("reads ran on the executor given for blocking work").hasPositiveValue();
    assertThat(loader.available()).isEqualTo((1 << 20) - red.length - blue.length);
    loaded.release();
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenNoReferences_whenLoaded_thenNothingIsReadOrHeld() {
    ReferenceLoader loader = loader(100);

    assertThat(loader.load(specWith(List.of()))).isCompletedWithValueMatching(ReferenceLoader.Loaded::isEmpty);
    assertThat(reads).hasValue(0);
  }

  @Test
  void givenAReferenceWhoseBytesChanged_whenLoaded_thenItFailsPermanentNamingTheImageAndHoldsNothing() {
    byte[] original = ReferenceImages.solidPng(8, 8, Color.RED);
    ReferenceImage first = ReferenceImages.stored(store, "ref-a", original, "image/png");
    ReferenceImage second = ReferenceImages.aReference("ref-b", "tenant_t/project_p/references/ref-b.png",
        original, "image/png");
    // Same size, one bit flipped: only the SHA-256 tells them apart.
    byte[] tampered = original.clone();
    tampered[tampered.length - 1] ^= 1;
    store.putIfAbsent(new BlobPath(second.getStoragePath()), tampered, new BlobMetadata("image/png", "private", Map.of()));
    ReferenceLoader loader = loader(1 << 20);

    assertFails(loader.load(specWith(List.of(first, second))), ErrorClass.PERMANENT, ReferenceLoader.CHANGED,
        "reference image 2 (upload ref-b) changed since the job was created");
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenAReferenceOfAnotherSize_whenLoaded_thenItFailsAsChanged() {
    byte[] original = ReferenceImages.solidPng(8, 8, Color.RED);
    ReferenceImage reference = ReferenceImages.aReference("ref-a", "tenant_t/project_p/references/ref-a.png",
        original, "image/png");
    store.putIfAbsent(new BlobPath(reference.getStoragePath()), ReferenceImages.solidPng(64, 64, Color.RED),
        new BlobMetadata("image/png", "private", Map.of()));

    assertFails(loader(1 << 20).load(specWith(List.of(reference))), ErrorClass.PERMANENT, ReferenceLoader.CHANGED,
        "reference image 1 (upload ref-a) changed since the job was created");
  }

  @Test
  void givenADeletedReference_whenLoaded_thenItFailsPermanentSayingItNoLongerExists() {
    ReferenceImage gone = ReferenceImages.aReference("ref-gone", "tenant_t/project_p/references/ref-gone.png",
        ReferenceImages.solidPng(8, 8, Color.RED), "image/png");
    ReferenceLoader loader = loader(1 << 20);

    assertFails(loader.load(specWith(List.of(gone))), ErrorClass.PERMANENT, ReferenceLoader.MISSING,
        "reference image 1 (upload ref-gone) no longer exists (deleted?)");
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenAStoreThatCannotBeRead_whenLoaded_thenItFailsTemporarySoTheAttemptIsRetried() {
    ReferenceImage reference = ReferenceImages.stored(store, "ref-a", ReferenceImages.solidPng(8, 8, Color.RED),
        "image/png");
    store.failReads();

    assertFails(loader(1 << 20).load(specWith(List.of(reference))), ErrorClass.TEMPORARY, ReferenceLoader.UNREADABLE,
        "reference image 1 (upload ref-a) could not be read from the store");
  }

  @Test
  void givenTwoRunsWhoseReferencesTogetherExceedTheBudget_thenTheSecondWaitsUntilTheFirstReleases() {
    byte[] image = ReferenceImages.solidPng(8, 8, Color.RED);
    ReferenceImage first = ReferenceImages.stored(store, "ref-1", image, "image/png");
    ReferenceImage second = ReferenceImages.stored(store, "ref-2", image, "image/png");
    ReferenceLoader loader = loader(image.length * 3L / 2);
    ReferenceLoader.Loaded held = loader.load(specWith(List.of(first))).join();

    CompletableFuture<ReferenceLoader.Loaded> waiting = loader.load(specWith(List.of(second)));

    await().atMost(WITHIN).until(() -> loader.waiting() == 1);
    assertThat(waiting).isNotDone();
    assertThat(reads).as("the waiting run has read nothing yet").hasValue(1);
    held.release();
    assertThat(waiting).succeedsWithin(WITHIN)
        .satisfies(loaded -> assertThat(loaded.images().get(0).content()).isEqualTo(image));
    assertThat(reads).hasValue(2);
  }

  @Test
  void givenReferencesLargerThanTheWholeBudget_whenLoaded_thenTheRunFailsAtOnceInsteadOfWaiting() {
    byte[] image = ReferenceImages.solidPng(8, 8, Color.RED);
    JobSpec spec = specWith("local-v1", ReferenceImages.stored(store, "ref-1", image, "image/png"),
        ReferenceImages.stored(store, "ref-2", image, "image/png"));
    ReferenceLoader loader = loader(image.length + 1);

    CompletableFuture<ReferenceLoader.Loaded> load = loader.load(spec);

    assertThat(load).isCompletedExceptionally();
    assertFails(load, ErrorClass.PERMANENT, ReferenceLoader.OVER_BUDGET,
        "the job's 2 reference images take " + 2 * image.length + " bytes");
    assertThat(loader.refusal(spec)).get().extracting(ProviderException::code).isEqualTo(ReferenceLoader.OVER_BUDGET);
    assertThat(reads).hasValue(0);
    assertThat(loader.waiting()).isZero();
  }

  @Test
  void givenAModelTakingFewerReferencesThanTheJobNames_thenItIsRefusedWithTheCataloguesReason() {
    byte[] image = ReferenceImages.solidPng(4, 4, Color.RED);
    ReferenceImage[] five = new ReferenceImage[5];
    for (int i = 0; i < five.length; i++) {
      five[i] = ReferenceImages.aReference("ref-" + i, "tenant_t/project_p/references/ref-" + i + ".png", image,
          "image/png");
    }

    assertThat(loader(1 << 20).refusal(specWith("gemini-2.5-flash-image", five))).get()
        .satisfies(refused -> {
          assertThat(refused.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(refused.code()).isEqualTo(ReferenceLoader.REFUSED);
          assertThat(refused.getMessage())
              .isEqualTo("reference images: model gemini-2.5-flash-image takes at most 3 reference images, not 5");
        });
    assertThat(loader(1 << 20).refusal(specWith("gemini-3-pro-image-preview", five))).isEmpty();
    assertThat(loader(1 << 20).refusal(specWith("gemini-2.5-flash-image"))).as("no references").isEmpty();
  }

  @Test
  void givenAnEdit_whenLoaded_thenTheSourceComesFirstTheMaskIsNotSentAndTheShareCoversTheDecodedPictures() {
    byte[] source = ReferenceImages.solidPng(40, 20, Color.RED);
    byte[] mask = ReferenceImages.mask(40, 20, new Rectangle(0, 0, 20, 20));
    byte[] reference = ReferenceImages.solidJpeg(8, 8, Color.BLUE);
    JobSpec spec = anEdit("local-v1", ReferenceImages.storedEdit(store, "edit-1", source, "image/png", mask),
        ReferenceImages.stored(store, "ref-blue", reference, "image/jpeg"));
    ReferenceLoader loader = loader(1 << 20);

    ReferenceLoader.Loaded loaded = loader.load(spec).join();

    assertThat(loaded.images()).extracting(ReferenceInput::content).containsExactly(source, reference);
    assertThat(loaded.edit().input().source()).isSameAs(loaded.images().get(0));
    assertThat(loaded.edit().input().mask().content()).isEqualTo(mask);
    // Source, generated and result pictures and the mask, four bytes a pixel each.
    long decoded = 4L * 40 * 20 * 4;
    assertThat(loader.available()).isEqualTo((1 << 20) - source.length - mask.length - reference.length - decoded);
    loaded.release();
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenAnEditLargerDecodedThanTheWholeBudget_whenLoaded_thenItHoldsAllOfItInsteadOfFailing() {
    byte[] source = ReferenceImages.solidPng(400, 400, Color.RED);
    byte[] mask = ReferenceImages.mask(400, 400, new Rectangle(0, 0, 20, 20));
    JobSpec spec = anEdit("local-v1", ReferenceImages.storedEdit(store, "edit-2", source, "image/png", mask));
    ReferenceLoader loader = loader(source.length + mask.length + 1000);
    ReferenceLoader.Loaded held = loader.load(spec).join();

    CompletableFuture<ReferenceLoader.Loaded> next = loader.load(spec);

    assertThat(loader.available()).isZero();
    await().atMost(WITHIN).until(() -> loader.waiting() == 1);
    held.release();
    assertThat(next).succeedsWithin(WITHIN).satisfies(ReferenceLoader.Loaded::release);
    assertThat(loader.available()).isEqualTo(source.length + mask.length + 1000);
  }

  @Test
  void givenAnEditWhoseMaskOrSourceIsGone_whenLoaded_thenTheFailureNamesWhichImage() {
    byte[] source = ReferenceImages.solidPng(8, 8, Color.RED);
    byte[] mask = ReferenceImages.mask(8, 8, new Rectangle(0, 0, 4, 4));
    ImageEdit maskGone = ImageEdit.newBuilder()
        .setSource(ReferenceImages.stored(store, "source-a", source, "image/png"))
        .setMask(ReferenceImages.aReference("mask-a", "tenant_t/project_p/references/mask-a.png", mask, "image/png"))
        .build();
    ImageEdit sourceChanged = ImageEdit.newBuilder()
        .setSource(ReferenceImages.aReference("source-b", "tenant_t/project_p/references/source-b.png", source,
            "image/png"))
        .build();
    store.putIfAbsent(new BlobPath(sourceChanged.getSource().getStoragePath()),
        ReferenceImages.solidPng(8, 8, Color.BLUE), new BlobMetadata("image/png", "private", Map.of()));
    ReferenceLoader loader = loader(1 << 20);

    assertFails(loader.load(anEdit("local-v1", maskGone)), ErrorClass.PERMANENT, ReferenceLoader.MISSING,
        "mask (upload mask-a) no longer exists (deleted?)");
    assertFails(loader.load(anEdit("local-v1", sourceChanged)), ErrorClass.PERMANENT, ReferenceLoader.CHANGED,
        "source image (upload source-b) changed since the job was created");
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenAMaskOfAnotherSizeOrWithoutAlpha_whenLoaded_thenItFailsPermanentAndHoldsNothing() {
    byte[] source = ReferenceImages.solidPng(64, 36, Color.RED);
    JobSpec wrongSize = anEdit("local-v1", ReferenceImages.storedEdit(store, "edit-3", source, "image/png",
        ReferenceImages.mask(32, 32, new Rectangle(0, 0, 8, 8))));
    JobSpec opaque = anEdit("local-v1", ReferenceImages.storedEdit(store, "edit-4", source, "image/png",
        ReferenceImages.solidPng(64, 36, Color.WHITE)));
    ReferenceLoader loader = loader(1 << 20);

    assertFails(loader.load(wrongSize), ErrorClass.PERMANENT, EditCompositor.MASK_INVALID,
        "mask is 32x32, the source image is 64x36");
    assertFails(loader.load(opaque), ErrorClass.PERMANENT, EditCompositor.MASK_INVALID, "mask has no alpha channel");
    assertThat(loader.available()).isEqualTo(1 << 20);
  }

  @Test
  void givenAnEditForAModelThatDoesNotEdit_thenItIsRefusedNamingTheModel() {
    ReferenceLoader loader = new ReferenceLoader(store, new ModelCatalogue(new ModelSettings(Map.of("no-edits",
        new ModelCatalogue.ModelCapabilities(3, null, null, false, 1)))), work, 1 << 20);
    ImageEdit edit = ImageEdit.newBuilder().setSource(ReferenceImages.aReference("source", "t/p/source.png",
        ReferenceImages.solidPng(8, 8, Color.RED), "image/png")).build();

    assertThat(loader.refusal(anEdit("no-edits", edit))).get().satisfies(refused -> {
      assertThat(refused.errorClass()).isEqualTo(ErrorClass.PERMANENT);
      assertThat(refused.code()).isEqualTo(ReferenceLoader.EDIT_UNSUPPORTED);
      assertThat(refused.getMessage()).isEqualTo("edit: model no-edits does not edit images");
    });
    assertThat(loader.refusal(anEdit("an-unknown-model", edit))).get()
        .extracting(ProviderException::code).isEqualTo(ReferenceLoader.EDIT_UNSUPPORTED);
    assertThat(loader.refusal(anEdit("local-v1", edit))).isEmpty();
  }

  @Test
  void givenAnEditJobWithoutItsEditOrAnotherJobWithOne_thenItIsRefusedAsInvalid() {
    ImageEdit edit = ImageEdit.newBuilder().setSource(ReferenceImages.aReference("source", "t/p/source.png",
        ReferenceImages.solidPng(8, 8, Color.RED), "image/png")).build();
    JobSpec editWithoutEdit = Events.anAssetKeySpec().setJobType(JobType.EDIT).build();
    JobSpec assetWithEdit = Events.anAssetKeySpec().setEdit(edit).build();
    ReferenceLoader loader = loader(1 << 20);

    assertThat(loader.refusal(editWithoutEdit)).get().satisfies(refused -> {
      assertThat(refused.code()).isEqualTo(JobImages.EDIT_INVALID);
      assertThat(refused.getMessage()).contains("names no source image");
    });
    assertThat(loader.refusal(assetWithEdit)).get().satisfies(refused -> {
      assertThat(refused.code()).isEqualTo(JobImages.EDIT_INVALID);
      assertThat(refused.getMessage()).contains("ASSET_IMAGE_KEY job");
    });
    assertFails(loader.load(editWithoutEdit), ErrorClass.PERMANENT, JobImages.EDIT_INVALID, "names no source image");
  }

  @Test
  void givenAnEdit_thenTheCatalogueCountsTheSourceAmongTheImagesSentButNotTheMask() {
    byte[] image = ReferenceImages.solidPng(4, 4, Color.RED);
    ImageEdit edit = ImageEdit.newBuilder()
        .setSource(ReferenceImages.aReference("source", "t/p/source.png", image, "image/png"))
        .setMask(ReferenceImages.aReference("mask", "t/p/mask.png", ReferenceImages.mask(4, 4, new Rectangle(1, 1)),
            "image/png"))
        .build();
    ReferenceImage[] two = new ReferenceImage[2];
    ReferenceImage[] three = new ReferenceImage[3];
    for (int i = 0; i < three.length; i++) {
      three[i] = ReferenceImages.aReference("ref-" + i, "t/p/ref-" + i + ".png", image, "image/png");
    }
    System.arraycopy(three, 0, two, 0, 2);
    ReferenceLoader loader = loader(1 << 20);

    assertThat(loader.refusal(anEdit("gemini-2.5-flash-image", edit, two))).as("source, 2 references, mask").isEmpty();
    assertThat(loader.refusal(anEdit("gemini-2.5-flash-image", edit, three))).get().satisfies(refused -> {
      assertThat(refused.code()).isEqualTo(ReferenceLoader.REFUSED);
      assertThat(refused.getMessage()).isEqualTo("images sent with the edit, the source image first: "
          + "model gemini-2.5-flash-image takes at most 3 reference images, not 4");
    });
  }

  @Test
  void givenAnEditWithAMaskThatIsNoPng_thenItIsRefusedBeforeLoading() {
    byte[] image = ReferenceImages.solidPng(4, 4, Color.RED);
    ImageEdit edit = ImageEdit.newBuilder()
        .setSource(ReferenceImages.aReference("source", "t/p/source.png", image, "image/png"))
        .setMask(ReferenceImages.aReference("mask", "t/p/mask.jpg", ReferenceImages.solidJpeg(4, 4, Color.RED),
            "image/jpeg"))
        .build();

    assertThat(loader(1 << 20).refusal(anEdit("local-v1", edit))).get().satisfies(refused -> {
      assertThat(refused.code()).isEqualTo(EditCompositor.MASK_INVALID);
      assertThat(refused.getMessage()).isEqualTo("mask is image/jpeg; a mask is a PNG with an alpha channel");
    });
  }

  private ReferenceLoader loader(long maxBytesInMemory) {
    return new ReferenceLoader(store, catalogue, command -> {
      reads.incrementAndGet();
      work.execute(command);
    }, maxBytesInMemory);
  }

  private static JobSpec anEdit(String model, ImageEdit edit, ReferenceImage... references) {
    return Events.anAssetKeySpec().setJobType(JobType.EDIT).setAssetId(null).setModel(model).setEdit(edit)
        .setReferences(List.of(references)).build();
  }

  private static JobSpec specWith(List<ReferenceImage> references) {
    return Events.anAssetKeySpec().setReferences(references).build();
  }

  private static JobSpec specWith(String model, ReferenceImage... references) {
    return Events.anAssetKeySpec().setModel(model).setReferences(List.of(references)).build();
  }

  private static void assertFails(CompletableFuture<ReferenceLoader.Loaded> load, ErrorClass errorClass, String code,
      String message) {
    Consumer<ProviderException> expected = failure -> {
      assertThat(failure.errorClass()).isEqualTo(errorClass);
      assertThat(failure.code()).isEqualTo(code);
      assertThat(failure.getMessage()).contains(message);
    };
    assertThat(load).failsWithin(WITHIN).withThrowableThat().havingCause()
        .isInstanceOfSatisfying(ProviderException.class, expected);
  }
}
