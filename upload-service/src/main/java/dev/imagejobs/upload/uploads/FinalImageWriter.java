package dev.imagejobs.upload.uploads;

import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.MissingObjectException;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.Sha256;
import dev.imagejobs.storage.StorageException;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.ArtifactRejectedException;
import dev.imagejobs.upload.inspection.InspectedImage;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a staged image and stores it at a final path, create-if-absent: in one step for the image
 * of a job of one ({@link #store}), in two for the variants of a job of several, which are all
 * checked ({@link #check}) before any is stored ({@link #place}). Safe to repeat: an object already
 * at the path with the announced SHA-256 is taken as this image (an earlier delivery stored it),
 * and once the staged copy is gone it is what the image is checked from.
 */
final class FinalImageWriter {

  /** Cache-Control of a stored image that never changes. */
  static final String CACHE_CONTROL = "private, max-age=31536000, immutable";

  private final BlobStore store;
  private final ArtifactInspector inspector;
  private final StorageRetries retries;

  FinalImageWriter(BlobStore store, ArtifactInspector inspector, StorageRetries retries) {
    this.store = store;
    this.inspector = inspector;
    this.retries = retries;
  }

  /**
   * Reads the staged image, checks it and stores it at {@code target}, durably, with
   * {@link #CACHE_CONTROL} and {@code custom} metadata beside its SHA-256.
   *
   * @throws ArtifactRejectedException when a check fails
   * @throws UploadRejectedException when the staged copy is gone and nothing stored stands in for it,
   *     or another image is stored at {@code target}
   * @throws StorageUnavailableException when the store kept failing
   */
  InspectedImage store(StagedImage image, JobSpec spec, BlobPath target, Map<String, String> custom) {
    BlobPath staged = image.staged();
    Optional<Blob> artifact = retries.run("Reading " + staged, () -> store.get(staged));
    if (artifact.isEmpty()) {
      return twinOfMissing(image, spec, target);
    }
    byte[] content = artifact.get().content();
    InspectedImage inspected = inspect(content, image, spec);
    BlobMetadata metadata = metadata(inspected, custom);
    PutOutcome outcome = retries.run("Writing " + target, () -> copyToFinalPath(staged, target, content, metadata));
    if (outcome == PutOutcome.ALREADY_EXISTS && storedTwin(image, spec, target).isEmpty()) {
      throw new UploadRejectedException("A different image is already stored at " + target);
    }
    return inspected;
  }

  /**
   * Reads the staged image and checks it, storing nothing; {@link #place} stores it afterwards.
   *
   * @throws ArtifactRejectedException when a check fails
   * @throws UploadRejectedException when the staged copy is gone and nothing stored at {@code target}
   *     stands in for it
   * @throws StorageUnavailableException when the store kept failing
   */
  InspectedImage check(StagedImage image, JobSpec spec, BlobPath target) {
    Optional<Blob> artifact = retries.run("Reading " + image.staged(), () -> store.get(image.staged()));
    if (artifact.isEmpty()) {
      return twinOfMissing(image, spec, target);
    }
    return inspect(artifact.get().content(), image, spec);
  }

  /**
   * Stores the image {@link #check} passed at {@code target}, as {@link #store} does, as a copy of
   * the staged object made by the store.
   *
   * @throws UploadRejectedException when another image is stored at {@code target}, or the staged
   *     copy went since it was checked and nothing stored stands in for it
   * @throws StorageUnavailableException when the store kept failing
   */
  void place(StagedImage image, InspectedImage inspected, JobSpec spec, BlobPath target, Map<String, String> custom) {
    BlobMetadata metadata = metadata(inspected, custom);
    PutOutcome outcome;
    try {
      outcome = retries.run("Writing " + target,
          () -> store.copyIfAbsent(image.staged(), target, metadata, Durability.SURVIVES_MACHINE_CRASH));
    } catch (MissingObjectException e) {
      // Another delivery of the same upload finished it meanwhile, or nothing can.
      twinOfMissing(image, spec, target);
      return;
    }
    if (outcome == PutOutcome.ALREADY_EXISTS && storedTwin(image, spec, target).isEmpty()) {
      throw new UploadRejectedException("A different image is already stored at " + target);
    }
  }

  /** A redelivery after the staged copy was removed: only its stored twin can still complete the job. */
  private InspectedImage twinOfMissing(StagedImage image, JobSpec spec, BlobPath target) {
    return storedTwin(image, spec, target)
        .orElseThrow(() -> new UploadRejectedException("The staged artifact " + image.staged() + " is missing"));
  }

  private static BlobMetadata metadata(InspectedImage inspected, Map<String, String> custom) {
    Map<String, String> withDigest = new HashMap<>(custom);
    withDigest.put("sha256", inspected.sha256());
    return new BlobMetadata(inspected.format().contentType(), CACHE_CONTROL, withDigest);
  }

  /**
   * Stores the inspected image at its final path: a copy of the staged object made by the store
   * (staged objects are never rewritten, so it holds the bytes just inspected), or, should the
   * staged copy have gone meanwhile, the bytes in hand. JobCompleted promises this image, so it
   * must survive a crash of the machine before it is announced.
   */
  private PutOutcome copyToFinalPath(BlobPath staged, BlobPath target, byte[] content, BlobMetadata metadata) {
    try {
      return store.copyIfAbsent(staged, target, metadata, Durability.SURVIVES_MACHINE_CRASH);
    } catch (StorageException e) {
      if (store.get(staged).isPresent()) {
        throw e;
      }
      return store.putIfAbsent(target, content, metadata, Durability.SURVIVES_MACHINE_CRASH);
    }
  }

  /**
   * The object at {@code target}, checked, if its bytes are exactly the announced ones.
   *
   * @throws ArtifactRejectedException when they are but fail a check
   * @throws StorageUnavailableException when the store kept failing
   */
  Optional<InspectedImage> storedTwin(StagedImage image, JobSpec spec, BlobPath target) {
    return retries.run("Reading " + target, () -> store.get(target))
        .map(Blob::content)
        .filter(stored -> Sha256.hex(stored).equalsIgnoreCase(image.sha256()))
        .map(stored -> inspect(stored, image, spec));
  }

  /**
   * The image's checks ({@link ArtifactInspector}); an edit's image must also have its source's size
   * exactly, since generation composites it onto the source.
   */
  private InspectedImage inspect(byte[] content, StagedImage image, JobSpec spec) {
    ImageEdit edit = spec.getEdit();
    if (edit == null) {
      return inspector.inspect(content, image.contentType(), spec.getAspectRatio(), image.sha256());
    }
    ReferenceImage source = edit.getSource();
    InspectedImage inspected = inspector.inspect(content, image.contentType(),
        source.getWidth() + ":" + source.getHeight(), image.sha256());
    if (inspected.width() != source.getWidth() || inspected.height() != source.getHeight()) {
      throw new ArtifactRejectedException("The edited image is " + inspected.width() + "x" + inspected.height()
          + " but its source is " + source.getWidth() + "x" + source.getHeight());
    }
    return inspected;
  }
}
