package dev.imagejobs.upload.uploads;

import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.upload.inspection.InspectedImage;
import java.util.List;

/**
 * What an upload stored, for its {@code JobCompleted}.
 *
 * @param path the job's path
 * @param image the image stored there
 * @param variants every variant of a job of several, in order, stored or failed; empty for a job of one image
 * @param staged the staged copies that now have a stored twin, to be marked stored and removed
 */
record StoredImages(BlobPath path, InspectedImage image, List<ImageVariant> variants, List<BlobPath> staged) {
  StoredImages {
    variants = List.copyOf(variants);
    staged = List.copyOf(staged);
  }

  /** A job of one image. */
  static StoredImages single(BlobPath path, InspectedImage image, BlobPath staged) {
    return new StoredImages(path, image, List.of(), List.of(staged));
  }
}
