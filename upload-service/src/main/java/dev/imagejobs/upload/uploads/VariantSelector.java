package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.VariantSelected;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.MissingObjectException;
import dev.imagejobs.storage.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places the variant a client chose ({@code VariantSelected}) at its job's path: the object there is
 * replaced, whole, by a copy of the variant's own object ({@link BlobStore#copyReplacing}), with the
 * variant's content type and custom metadata and {@link VariantUploader#REPLACEABLE_CACHE_CONTROL}.
 * Both paths must lie in the job's tenant folder, and the variant's stored bytes must be the chosen
 * ones (their SHA-256); a selection that fails either check, or whose variant is not stored, can
 * never be placed and is unprocessable. Nothing is announced: the selection itself is the news.
 *
 * <p>Idempotent: a redelivered selection replaces the job's image with the same bytes again. A job's
 * selections arrive in order on its partition and are handled in job order, so the last one wins.
 */
final class VariantSelector {
  private static final Logger log = LoggerFactory.getLogger(VariantSelector.class);

  private final BlobStore store;
  private final StorageRetries retries;

  VariantSelector(BlobStore store, StorageRetries retries) {
    this.store = store;
    this.retries = retries;
  }

  /**
   * @throws UnprocessableRecordException when a path lies outside the job's tenant folder, names the
   *     job's path as the variant's, the variant's object is missing, or its bytes are other ones
   * @throws StorageUnavailableException when the store kept failing; the dispatcher handles the
   *     selection again until the store is back
   */
  void select(VariantSelected event) {
    EventMetadata cause = event.getMetadata();
    String folder = tenantFolder(cause);
    BlobPath variant = inside(folder, event.getStoragePath(), "variant's path");
    BlobPath job = inside(folder, event.getJobStoragePath(), "job's path");
    if (variant.equals(job)) {
      throw new UnprocessableRecordException("The chosen variant's path " + variant + " is the job's own path");
    }
    Blob chosen = retries.run("Reading " + variant, () -> store.get(variant))
        .orElseThrow(() -> new UnprocessableRecordException("Variant " + event.getVariant() + " of job "
            + cause.getJobId() + " is not stored at " + variant));
    String sha256 = Sha256.hex(chosen.content());
    if (!sha256.equalsIgnoreCase(event.getSha256())) {
      throw new UnprocessableRecordException("The image stored at " + variant + " has SHA-256 " + sha256
          + " but the selection of variant " + event.getVariant() + " names " + event.getSha256());
    }
    BlobMetadata metadata = new BlobMetadata(chosen.metadata().contentType(),
        VariantUploader.REPLACEABLE_CACHE_CONTROL, chosen.metadata().custom());
    try {
      retries.run("Placing " + variant + " at " + job, () -> {
        // The job's image, like the final image of a job of one, is served from here once this returns.
        store.copyReplacing(variant, job, metadata, Durability.SURVIVES_MACHINE_CRASH);
        return null;
      });
    } catch (MissingObjectException e) {
      throw new UnprocessableRecordException("Variant " + event.getVariant() + " of job " + cause.getJobId()
          + " is no longer stored at " + variant);
    }
    log.info("Job {}: variant {} placed at {}", cause.getJobId(), event.getVariant(), job);
  }

  private static String tenantFolder(EventMetadata cause) {
    try {
      return "tenant_" + BlobPath.requireSegment(cause.getTenantId()) + "/";
    } catch (IllegalArgumentException e) {
      throw new UnprocessableRecordException("Tenant id '" + cause.getTenantId() + "' cannot name a folder");
    }
  }

  /** {@code value} as a path, which must lie in {@code folder}. */
  private static BlobPath inside(String folder, String value, String what) {
    BlobPath path;
    try {
      path = new BlobPath(value);
    } catch (IllegalArgumentException e) {
      throw new UnprocessableRecordException("The " + what + " '" + value + "' is not a valid path");
    }
    if (!path.value().startsWith(folder)) {
      throw new UnprocessableRecordException(
          "The " + what + " " + path + " is outside the job's tenant folder " + folder);
    }
    return path;
  }
}
