package dev.imagejobs.upload.uploads;

import static java.util.stream.Collectors.toSet;

import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.Sha256;
import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.upload.inspection.ArtifactRejectedException;
import dev.imagejobs.upload.inspection.InspectedImage;
import dev.imagejobs.upload.paths.StoragePaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the images of a job of several variants ({@code ImageGenerated.variants}): every generated
 * variant is checked first, so a check that fails, on any variant, fails the job with a message
 * naming the variant before anything is stored; then each is stored create-if-absent at its own
 * path beside the job's path ({@link StoragePaths#variantPath}), in order, and the job's path gets a
 * copy of the first, create-if-absent too, as the image the job shows until a client selects another
 * ({@link VariantSelector}). Variants whose generation failed are listed as they were announced.
 *
 * <p>Safe to repeat, as an upload of one image is: every object already stored with the announced
 * SHA-256 is taken as this job's, and the job's path counts as stored when it holds any of the job's
 * variants, since a selection may have replaced the first meanwhile.
 */
final class VariantUploader {

  /** Cache-Control of a job's path when it holds one of several variants: a selection may replace it. */
  static final String REPLACEABLE_CACHE_CONTROL = "private, no-cache";

  private static final Logger log = LoggerFactory.getLogger(VariantUploader.class);

  private final BlobStore store;
  private final FinalImageWriter writer;
  private final StorageRetries retries;

  VariantUploader(BlobStore store, FinalImageWriter writer, StorageRetries retries) {
    this.store = store;
    this.writer = writer;
    this.retries = retries;
  }

  /**
   * Checks and stores every generated variant, then the first at the job's path.
   *
   * @throws UploadRejectedException or {@link ArtifactRejectedException} when the job can never be
   *     stored: no variant was generated, numbers repeat, a path cannot be made, a check fails or
   *     another image is stored where one goes
   * @throws StorageUnavailableException when the store kept failing
   */
  StoredImages store(ImageGenerated event) {
    EventMetadata cause = event.getMetadata();
    checkNumbers(event.getVariants());
    ImageVariant firstGenerated = event.getVariants().stream().filter(VariantUploader::isGenerated).findFirst()
        .orElseThrow(() -> new UploadRejectedException("None of the job's " + event.getVariants().size()
            + " variants was generated"));
    BlobPath jobPath = jobPath(event, firstGenerated);
    Map<Integer, CheckedVariant> checked = new LinkedHashMap<>();
    for (ImageVariant variant : event.getVariants()) {
      if (isGenerated(variant)) {
        StagedImage image = naming(variant, () -> staged(cause, variant));
        BlobPath path = naming(variant, () -> variantPath(jobPath, variant));
        InspectedImage inspected = naming(variant, () -> writer.check(image, event.getSpec(), path));
        checked.put(variant.getVariant(), new CheckedVariant(variant, image, path, inspected));
      }
    }
    for (CheckedVariant variant : checked.values()) {
      naming(variant.announced(), () -> {
        writer.place(variant.staged(), variant.image(), event.getSpec(), variant.path(),
            custom(cause, variant.announced()));
        return null;
      });
    }
    CheckedVariant first = checked.get(firstGenerated.getVariant());
    Set<String> digests = checked.values().stream().map(variant -> variant.image().sha256()).collect(toSet());
    placeFirst(cause, first, jobPath, digests);
    List<ImageVariant> listed = event.getVariants().stream()
        .map(variant -> checked.containsKey(variant.getVariant())
            ? stored(checked.get(variant.getVariant()))
            : failed(variant))
        .toList();
    return new StoredImages(jobPath, first.image(), listed,
        checked.values().stream().map(variant -> variant.staged().staged()).toList());
  }

  /** A generated variant that passed its checks, and where it is stored. */
  private record CheckedVariant(ImageVariant announced, StagedImage staged, BlobPath path, InspectedImage image) {}

  /**
   * Whether an earlier delivery began storing the variants (the first is stored, so a cancel comes
   * too late); {@code false} when that cannot be told, as the upload then rejects the job anyway.
   */
  boolean alreadyStored(ImageGenerated event) {
    try {
      ImageVariant first = event.getVariants().stream().filter(VariantUploader::isGenerated).findFirst().orElse(null);
      if (first == null) {
        return false;
      }
      BlobPath path = variantPath(jobPath(event, first), first);
      return writer.storedTwin(staged(event.getMetadata(), first), event.getSpec(), path).isPresent();
    } catch (UploadRejectedException | ArtifactRejectedException | StorageUnavailableException e) {
      return false;
    }
  }

  /**
   * The staged copies of the generated variants, for a job that ended without them; unusable
   * references are skipped.
   */
  List<BlobPath> stagedCopies(ImageGenerated event) {
    List<BlobPath> copies = new ArrayList<>();
    for (ImageVariant variant : event.getVariants()) {
      if (isGenerated(variant)) {
        try {
          copies.add(staged(event.getMetadata(), variant).staged());
        } catch (UploadRejectedException e) {
          log.warn("Job {}: variant {} has an unusable staged reference: {}", event.getMetadata().getJobId(),
              variant.getVariant(), e.getMessage());
        }
      }
    }
    return copies;
  }

  /**
   * Copies the first generated variant to the job's path, create-if-absent and durably (JobCompleted
   * announces it); an object there already must be one of the job's variants.
   */
  private void placeFirst(EventMetadata cause, CheckedVariant first, BlobPath jobPath, Set<String> digests) {
    Map<String, String> custom = custom(cause, first.announced());
    custom.put("sha256", first.image().sha256());
    BlobMetadata metadata = new BlobMetadata(first.image().format().contentType(), REPLACEABLE_CACHE_CONTROL, custom);
    PutOutcome outcome = retries.run("Writing " + jobPath,
        () -> store.copyIfAbsent(first.path(), jobPath, metadata, Durability.SURVIVES_MACHINE_CRASH));
    if (outcome == PutOutcome.ALREADY_EXISTS && !holdsOneOf(jobPath, digests)) {
      throw new UploadRejectedException("A different image is already stored at " + jobPath);
    }
  }

  private boolean holdsOneOf(BlobPath path, Set<String> digests) {
    return retries.run("Reading " + path, () -> store.get(path))
        .map(stored -> digests.contains(Sha256.hex(stored.content())))
        .orElse(false);
  }

  /** Variant numbers name paths, so they must be positive and distinct. */
  private static void checkNumbers(List<ImageVariant> variants) {
    Set<Integer> seen = new HashSet<>();
    for (ImageVariant variant : variants) {
      if (variant.getVariant() < 1 || !seen.add(variant.getVariant())) {
        throw new UploadRejectedException("Variant numbers must be distinct and start at 1, not "
            + variants.stream().map(ImageVariant::getVariant).toList());
      }
    }
  }

  /** A variant is generated when it has a staged image and no error. */
  private static boolean isGenerated(ImageVariant variant) {
    return variant.getPath() != null && variant.getErrorClass() == null;
  }

  private static StagedImage staged(EventMetadata cause, ImageVariant variant) {
    return StagedImage.of(cause.getJobId(), variant.getPath(), variant.getContentType(), variant.getSha256());
  }

  /** The job's own path, in the first generated variant's format. */
  private static BlobPath jobPath(ImageGenerated event, ImageVariant first) {
    EventMetadata cause = event.getMetadata();
    try {
      return StoragePaths.finalPath(cause.getTenantId(), cause.getJobId(), event.getSpec(), first.getContentType());
    } catch (IllegalArgumentException e) {
      throw new UploadRejectedException("No storage path for this job: " + e.getMessage(), e);
    }
  }

  private static BlobPath variantPath(BlobPath jobPath, ImageVariant variant) {
    ImageFormat format = ImageFormat.fromContentType(variant.getContentType())
        .orElseThrow(() -> new ArtifactRejectedException("Unsupported content type '" + variant.getContentType()
            + "': expected " + ImageFormat.supportedContentTypes()));
    try {
      return StoragePaths.variantPath(jobPath, variant.getVariant(), format);
    } catch (IllegalArgumentException e) {
      throw new UploadRejectedException("No storage path for this variant: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> custom(EventMetadata cause, ImageVariant variant) {
    Map<String, String> custom = new HashMap<>();
    custom.put("jobId", cause.getJobId());
    custom.put("tenantId", cause.getTenantId());
    custom.put("variant", Integer.toString(variant.getVariant()));
    return custom;
  }

  /** Runs {@code step} of one variant, naming the variant in the message of a rejection. */
  private static <T> T naming(ImageVariant variant, Supplier<T> step) {
    try {
      return step.get();
    } catch (ArtifactRejectedException e) {
      throw new ArtifactRejectedException("Variant " + variant.getVariant() + ": " + e.getMessage());
    } catch (UploadRejectedException e) {
      throw new UploadRejectedException("Variant " + variant.getVariant() + ": " + e.getMessage(), e);
    }
  }

  private static ImageVariant stored(CheckedVariant variant) {
    ImageVariant announced = variant.announced();
    InspectedImage image = variant.image();
    return ImageVariant.newBuilder()
        .setVariant(announced.getVariant())
        .setPath(variant.path().value())
        .setContentType(image.format().contentType())
        .setSizeBytes(image.sizeBytes())
        .setSha256(image.sha256())
        .setWidth(image.width())
        .setHeight(image.height())
        .setActualCostMicros(announced.getActualCostMicros())
        .build();
  }

  private static ImageVariant failed(ImageVariant announced) {
    return ImageVariant.newBuilder()
        .setVariant(announced.getVariant())
        .setActualCostMicros(announced.getActualCostMicros())
        .setErrorClass(announced.getErrorClass())
        .setErrorCode(announced.getErrorCode())
        .setMessage(announced.getMessage())
        .build();
  }
}
