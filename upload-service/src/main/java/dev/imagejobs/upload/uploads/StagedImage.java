package dev.imagejobs.upload.uploads;

import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.StagingArea;

/**
 * An image the generation service staged and announced: where it lies, and the content type and
 * SHA-256 it was announced with.
 *
 * @param staged its path in the job's staging folder
 * @param contentType the announced content type
 * @param sha256 the announced lower-case hex SHA-256
 */
record StagedImage(BlobPath staged, String contentType, String sha256) {

  /**
   * The staged image {@code stagedRef} names, which must lie in the job's own staging folder: the
   * upload deletes it afterwards, so a reference to any other object would remove another job's image.
   *
   * @throws UploadRejectedException when the reference is not a path or lies outside that folder
   */
  static StagedImage of(String jobId, String stagedRef, String contentType, String sha256) {
    BlobPath staged;
    try {
      staged = new BlobPath(stagedRef);
    } catch (IllegalArgumentException e) {
      throw new UploadRejectedException("The staged reference '" + stagedRef + "' is not a valid path", e);
    }
    String folder = StagingArea.PREFIX + "/" + jobId + "/";
    if (!staged.value().startsWith(folder)) {
      throw new UploadRejectedException(
          "The staged reference '" + staged + "' is outside the job's staging folder " + folder);
    }
    return new StagedImage(staged, contentType, sha256);
  }
}
