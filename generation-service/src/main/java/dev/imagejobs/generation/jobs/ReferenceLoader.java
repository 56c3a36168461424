package dev.imagejobs.generation.jobs;

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
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Loads a job's reference images for its provider call: the claim check's other end, since the
 * bytes stay in the blob store while the job travels through Kafka. Each image is checked against
 * the size and SHA-256 its job was created with, so the provider gets the very image the client
 * chose or the job fails. The bytes of every run in flight stay within one budget
 * ({@code imagejobs.generation.references.max-bytes-in-memory}): a run waits, without a thread,
 * until its images fit, and holds them until it {@linkplain Loaded#release releases} them when its
 * provider call ends, so many jobs with large references cannot exhaust the heap.
 *
 * <p>Failures are {@link ProviderException}s, ended by the runner like a provider's: PERMANENT for
 * an image that changed, is gone or can never be sent, TEMPORARY (retried) for a store that cannot
 * be read. ReferenceLoaderTest shows each.
 */
class ReferenceLoader {
  static final String REFUSED = "REFERENCES_REFUSED";
  static final String OVER_BUDGET = "REFERENCES_OVER_BUDGET";
  static final String MISSING = "REFERENCE_MISSING";
  static final String CHANGED = "REFERENCE_CHANGED";
  static final String UNREADABLE = "REFERENCE_UNREADABLE";
  private static final String BUDGET_SETTING = "imagejobs.generation.references.max-bytes-in-memory";

  private final BlobStore store;
  private final ModelCatalogue catalogue;
  private final Executor io;
  private final ByteBudget budget;

  /**
   * @param io runs the blocking reads of the store, never a Kafka consumer's thread
   * @param maxBytesInMemory the most bytes of reference images held at once by all runs
   */
  ReferenceLoader(BlobStore store, ModelCatalogue catalogue, Executor io, long maxBytesInMemory) {
    this.store = store;
    this.catalogue = catalogue;
    this.io = io;
    this.budget = new ByteBudget(maxBytesInMemory);
  }

  /**
   * Why the job's reference images can never be sent, checked before any provider call: the job's
   * model cannot take them (the gateway checks that too, but its settings may differ), or they
   * exceed the whole budget on their own and would wait forever. Empty when they can be sent.
   */
  Optional<ProviderException> refusal(JobSpec spec) {
    List<ReferenceImage> references = spec.getReferences();
    if (references.isEmpty()) {
      return Optional.empty();
    }
    List<ModelCatalogue.ReferenceShape> shapes = references.stream()
        .map(reference -> new ModelCatalogue.ReferenceShape(reference.getContentType(), reference.getSizeBytes()))
        .toList();
    Optional<String> refused = catalogue.capabilitiesOf(spec.getModel()).refusal(spec.getModel(), shapes);
    if (refused.isPresent()) {
      return Optional.of(new ProviderException(ErrorClass.PERMANENT, REFUSED, "reference images: " + refused.get()));
    }
    return overBudget(references);
  }

  /**
   * Loads {@code references} in order once their declared sizes fit the budget. The returned images
   * hold their share of it until {@link Loaded#release} is called; a load that fails holds none.
   *
   * @return the images, or a future failed with a {@link ProviderException}
   */
  CompletableFuture<Loaded> load(List<ReferenceImage> references) {
    if (references.isEmpty()) {
      return CompletableFuture.completedFuture(Loaded.NONE);
    }
    Optional<ProviderException> tooLarge = overBudget(references);
    if (tooLarge.isPresent()) {
      return CompletableFuture.failedFuture(tooLarge.get());
    }
    return budget.acquire(declaredBytes(references)).thenCompose(share -> {
      CompletableFuture<List<ReferenceInput>> read;
      try {
        read = CompletableFuture.supplyAsync(() -> read(references), io);
      } catch (RuntimeException rejected) {
        share.release();
        throw rejected;
      }
      return read.whenComplete((images, failure) -> {
        if (failure != null) {
          share.release();
        }
      }).thenApply(images -> new Loaded(images, share));
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

  private Optional<ProviderException> overBudget(List<ReferenceImage> references) {
    long total = declaredBytes(references);
    if (total <= budget.capacity()) {
      return Optional.empty();
    }
    return Optional.of(new ProviderException(ErrorClass.PERMANENT, OVER_BUDGET, "reference images: the job's "
        + references.size() + " reference images take " + total + " bytes, more than this service holds for all "
        + "jobs at once (" + budget.capacity() + " bytes, " + BUDGET_SETTING + ")"));
  }

  /** What the images take by their specs: what the budget holds for them before they are read. */
  private static long declaredBytes(List<ReferenceImage> references) {
    long total = 0;
    for (ReferenceImage reference : references) {
      total += Math.max(0, reference.getSizeBytes());
    }
    return total;
  }

  private List<ReferenceInput> read(List<ReferenceImage> references) {
    List<ReferenceInput> images = new ArrayList<>(references.size());
    for (int i = 0; i < references.size(); i++) {
      images.add(read(i + 1, references.get(i)));
    }
    return List.copyOf(images);
  }

  /**
   * Reads one image, no more than its declared size: an object that grew is known to have changed
   * without reading it whole, and the budget holds only what the spec declared.
   */
  private ReferenceInput read(int number, ReferenceImage reference) {
    String name = "reference image " + number + " (" + reference.getSource() + " " + reference.getId() + ")";
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

  /** A run's reference images, in order, holding their share of the budget until released. */
  static final class Loaded {
    static final Loaded NONE = new Loaded(List.of(), null);

    private final List<ReferenceInput> images;
    private final ByteBudget.Share share;

    private Loaded(List<ReferenceInput> images, ByteBudget.Share share) {
      this.images = images;
      this.share = share;
    }

    List<ReferenceInput> images() {
      return images;
    }

    boolean isEmpty() {
      return images.isEmpty();
    }

    /** Gives the images' bytes back to the budget, once the provider call ended; later calls do nothing. */
    void release() {
      if (share != null) {
        share.release();
      }
    }
  }
}
