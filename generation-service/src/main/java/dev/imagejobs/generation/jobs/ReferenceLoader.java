package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStream;
import dev.imagejobs.storage.StorageException;
import dev.imagejobs.storage.images.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Loads a job's images for its provider call: its reference images and, for an EDIT job, its
 * source image and mask. This is the claim check's other end, since the bytes stay in the blob
 * store while the job travels through Kafka. Each image is checked against the size and SHA-256 its
 * job was created with, so the provider gets the very image the client chose or the job fails. The
 * bytes of every run in flight stay within one budget
 * ({@code imagejobs.generation.references.max-bytes-in-memory}): a run waits, without a thread,
 * until its images fit, and holds them until it {@linkplain Loaded#release releases} them when its
 * provider call ends, so many jobs with large references cannot exhaust the heap. An edit's share
 * also covers the pictures it decodes to lay the provider's image over its source (about four bytes
 * a pixel per picture, no more than the whole budget), and it holds the share until that is done.
 *
 * <p>Failures are {@link ProviderException}s, ended by the runner like a provider's: PERMANENT for
 * an image that changed, is gone or can never be sent, for an edit its model cannot make and for a
 * mask that cannot serve; TEMPORARY (retried) for a store that cannot be read. ReferenceLoaderTest
 * shows each.
 */
class ReferenceLoader {
  static final String REFUSED = "REFERENCES_REFUSED";
  static final String OVER_BUDGET = "REFERENCES_OVER_BUDGET";
  static final String MISSING = "REFERENCE_MISSING";
  static final String CHANGED = "REFERENCE_CHANGED";
  static final String UNREADABLE = "REFERENCE_UNREADABLE";
  static final String EDIT_UNSUPPORTED = "EDIT_UNSUPPORTED";
  private static final String BUDGET_SETTING = "imagejobs.generation.references.max-bytes-in-memory";

  private final BlobStore store;
  private final ModelCatalogue catalogue;
  private final Executor io;
  private final ByteBudget budget;

  /**
   * @param io runs the blocking reads of the store, never a Kafka consumer's thread
   * @param maxBytesInMemory the most bytes of job images (and of the pictures edits decode) held at once
   *     by all runs
   */
  ReferenceLoader(BlobStore store, ModelCatalogue catalogue, Executor io, long maxBytesInMemory) {
    this.store = store;
    this.catalogue = catalogue;
    this.io = io;
    this.budget = new ByteBudget(maxBytesInMemory);
  }

  /**
   * Why the job's images can never be sent, checked before any provider call: an EDIT job without
   * its edit or another job with one, a model that does not edit, a mask that is no PNG, images the
   * job's model cannot take (the gateway checks that too, but its settings may differ; for an edit
   * the source counts as the first of them, the mask never), or images that exceed the whole budget
   * on their own and would wait forever. Empty when they can be sent.
   */
  Optional<ProviderException> refusal(JobSpec spec) {
    JobImages images;
    try {
      images = JobImages.of(spec);
    } catch (ProviderException invalid) {
      return Optional.of(invalid);
    }
    ModelCatalogue.ModelCapabilities capabilities = catalogue.capabilitiesOf(spec.getModel());
    if (images.isEdit()) {
      Optional<String> cannotEdit = capabilities.editRefusal(spec.getModel());
      if (cannotEdit.isPresent()) {
        return Optional.of(new ProviderException(ErrorClass.PERMANENT, EDIT_UNSUPPORTED, "edit: " + cannotEdit.get()));
      }
      if (images.mask() != null && !ImageFormat.PNG.contentType().equals(images.mask().getContentType())) {
        return Optional.of(new ProviderException(ErrorClass.PERMANENT, EditCompositor.MASK_INVALID, "mask is "
            + images.mask().getContentType() + "; a mask is a PNG with an alpha channel"));
      }
    }
    List<ReferenceImage> sent = images.sent();
    if (sent.isEmpty()) {
      return Optional.empty();
    }
    List<ModelCatalogue.ReferenceShape> shapes = sent.stream()
        .map(image -> new ModelCatalogue.ReferenceShape(image.getContentType(), image.getSizeBytes()))
        .toList();
    Optional<String> refused = capabilities.refusal(spec.getModel(), shapes);
    if (refused.isPresent()) {
      String which = images.isEdit() ? "images sent with the edit, the source image first: " : "reference images: ";
      return Optional.of(new ProviderException(ErrorClass.PERMANENT, REFUSED, which + refused.get()));
    }
    return overBudget(images);
  }

  /**
   * Loads the job's images, in order, once their share of the budget is free: what their specs
   * declare and, for an edit, what compositing it decodes. For an edit, the mask is then checked
   * against the source and both are decoded ({@link EditCompositor#prepare}), all before any
   * provider call. The returned images hold their share until {@link Loaded#release} is called; a
   * load that fails holds none.
   *
   * @return the images, or a future failed with a {@link ProviderException}
   */
  CompletableFuture<Loaded> load(JobSpec spec) {
    JobImages images;
    try {
      images = JobImages.of(spec);
    } catch (ProviderException invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
    if (images.isEmpty()) {
      return CompletableFuture.completedFuture(Loaded.NONE);
    }
    Optional<ProviderException> tooLarge = overBudget(images);
    if (tooLarge.isPresent()) {
      return CompletableFuture.failedFuture(tooLarge.get());
    }
    return budget.acquire(share(images)).thenCompose(share -> {
      CompletableFuture<Read> read;
      try {
        read = CompletableFuture.supplyAsync(() -> read(images), io);
      } catch (RuntimeException rejected) {
        share.release();
        throw rejected;
      }
      return read.whenComplete((loaded, failure) -> {
        if (failure != null) {
          share.release();
        }
      }).thenApply(loaded -> new Loaded(loaded, share));
    });
  }

  /** Bytes of the budget no run holds now. */
  long available() {
    return budget.available();
  }

  /** Runs waiting for their images to fit the budget. */
  int waiting() {
    return budget.waiting();
  }

  private Optional<ProviderException> overBudget(JobImages images) {
    long total = images.declaredBytes();
    if (total <= budget.capacity()) {
      return Optional.empty();
    }
    return Optional.of(new ProviderException(ErrorClass.PERMANENT, OVER_BUDGET, (images.isEdit() ? "edit" : "reference")
        + " images: the job's " + images.describe() + " take " + total + " bytes, more than this service holds for "
        + "all jobs at once (" + budget.capacity() + " bytes, " + BUDGET_SETTING + ")"));
  }

  /**
   * The share of the budget the images hold: their declared bytes and the pictures an edit decodes,
   * at most the whole budget, so that a large edit waits for all of it instead of failing.
   */
  private long share(JobImages images) {
    long declared = images.declaredBytes();
    long decoded = images.decodedBytes();
    return decoded > budget.capacity() - declared ? budget.capacity() : declared + decoded;
  }

  private Read read(JobImages images) {
    ReferenceInput source = images.isEdit() ? read("source image " + label(images.source()), images.source()) : null;
    List<ReferenceInput> sent = new ArrayList<>(images.references().size() + 1);
    if (source != null) {
      sent.add(source);
    }
    for (int i = 0; i < images.references().size(); i++) {
      ReferenceImage reference = images.references().get(i);
      sent.add(read("reference image " + (i + 1) + " " + label(reference), reference));
    }
    if (source == null) {
      return new Read(List.copyOf(sent), null);
    }
    ReferenceInput mask = images.mask() == null ? null : read("mask " + label(images.mask()), images.mask());
    return new Read(List.copyOf(sent), EditCompositor.prepare(new EditInput(source, mask)));
  }

  /** How messages tell an image apart: {@code (upload ref-1)}. */
  private static String label(ReferenceImage image) {
    return "(" + image.getSource() + " " + image.getId() + ")";
  }

  /**
   * Reads one image, no more than its declared size: an object that grew is known to have changed
   * without reading it whole, and the budget holds only what the spec declared.
   */
  private ReferenceInput read(String name, ReferenceImage reference) {
    BlobPath path;
    try {
      path = new BlobPath(reference.getStoragePath());
    } catch (IllegalArgumentException invalid) {
      throw new ProviderException(ErrorClass.PERMANENT, MISSING,
          name + " has no valid storage path ('" + reference.getStoragePath() + "')");
    }
    long declared = reference.getSizeBytes();
    byte[] content;
    try (BlobStream blob = open(path, name)) {
      if (blob.size() >= 0 && blob.size() != declared) {
        throw changed(name);
      }
      content = readAtMost(blob.content(), declared);
      if (content == null) {
        throw changed(name);
      }
    } catch (IOException | StorageException failure) {
      throw new ProviderException(ErrorClass.TEMPORARY, UNREADABLE,
          name + " could not be read from the store: " + failure.getMessage(), failure);
    }
    if (content.length != declared || !ArtifactStager.sha256(content).equalsIgnoreCase(reference.getSha256())) {
      throw changed(name);
    }
    return new ReferenceInput(reference.getContentType(), content);
  }

  private BlobStream open(BlobPath path, String name) {
    return store.openStream(path).orElseThrow(() ->
        new ProviderException(ErrorClass.PERMANENT, MISSING, name + " no longer exists (deleted?)"));
  }

  /** The stream's bytes, or null when it has more than {@code limit} (or the limit is no size at all). */
  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    if (limit < 0 || limit > Integer.MAX_VALUE - 8) {
      return null;
    }
    byte[] content = in.readNBytes((int) limit);
    return in.read() < 0 ? content : null;
  }

  private static ProviderException changed(String name) {
    return new ProviderException(ErrorClass.PERMANENT, CHANGED, name + " changed since the job was created");
  }

  /** What was read for a run: the images to send and, for an edit, its prepared compositor. */
  private record Read(List<ReferenceInput> sent, EditCompositor edit) {}

  /**
   * A run's images, in order, holding their share of the budget until released: the images the
   * provider gets and, for an edit, the compositor of its result.
   */
  static final class Loaded {
    static final Loaded NONE = new Loaded(new Read(List.of(), null), null);

    private final Read read;
    private final ByteBudget.Share share;

    private Loaded(Read read, ByteBudget.Share share) {
      this.read = read;
      this.share = share;
    }

    /** The images the provider gets, in order: for an edit, its source first. */
    List<ReferenceInput> images() {
      return read.sent();
    }

    /** The compositor of an edit's result, prepared from its source and mask; null for any other job. */
    EditCompositor edit() {
      return read.edit();
    }

    boolean isEmpty() {
      return read.sent().isEmpty();
    }

    /**
     * Gives the images' bytes back to the budget, once the provider call ended, or for an edit once
     * its result is composited; later calls do nothing.
     */
    void release() {
      if (share != null) {
        share.release();
      }
    }
  }
}
