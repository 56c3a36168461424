package dev.imagejobs.gateway.references;

import java.time.Instant;

/**
 * An uploaded reference image as the API shows it.
 *
 * @param referenceId its id, to name in a job's {@code references}
 * @param projectId its project
 * @param contentType its media type
 * @param sizeBytes its size
 * @param width its width in pixels
 * @param height its height in pixels
 * @param sha256 the SHA-256 of its bytes in hex
 * @param fileName the name given when it was uploaded, or null
 * @param createdAt when it was uploaded
 * @param url where its owner fetches the bytes
 */
record ReferenceView(String referenceId, String projectId, String contentType, long sizeBytes, int width, int height,
    String sha256, String fileName, Instant createdAt, String url) {

  static ReferenceView of(UploadedReference reference) {
    return new ReferenceView(reference.referenceId(), reference.projectId(), reference.contentType(),
        reference.sizeBytes(), reference.width(), reference.height(), reference.sha256(), reference.fileName(),
        reference.createdAt(), ReferencesController.REFERENCES + "/" + reference.referenceId() + "/image");
  }
}
