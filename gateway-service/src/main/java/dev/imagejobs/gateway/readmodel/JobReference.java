package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.avro.ReferenceImage;

/**
 * A reference image a job sends to the provider, as its spec names it.
 *
 * @param source {@code job} (a completed job's image), {@code upload} (an image uploaded to the
 *     project) or {@code capsule} (an uploaded image of the job's style capsule)
 * @param id the job id or the uploaded reference's id
 * @param storagePath where the bytes are in the bucket
 * @param contentType its media type
 * @param sizeBytes its size
 * @param width its width in pixels
 * @param height its height in pixels
 * @param sha256 the SHA-256 of its bytes in hex
 */
public record JobReference(String source, String id, String storagePath, String contentType, long sizeBytes,
    int width, int height, String sha256) {

  public static final String JOB = "job";
  public static final String UPLOAD = "upload";
  /** An image of the job's style capsule (an uploaded reference image). */
  public static final String CAPSULE = "capsule";

  static JobReference of(ReferenceImage image) {
    return new JobReference(Text.clean(image.getSource()), Text.clean(image.getId()),
        Text.clean(image.getStoragePath()), Text.clean(image.getContentType()), image.getSizeBytes(),
        image.getWidth(), image.getHeight(), Text.clean(image.getSha256()));
  }

  /** The reference as the events carry it. */
  public ReferenceImage avro() {
    return ReferenceImage.newBuilder().setSource(source).setId(id).setStoragePath(storagePath)
        .setContentType(contentType).setSizeBytes(sizeBytes).setWidth(width).setHeight(height).setSha256(sha256)
        .build();
  }
}
