package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.avro.ImageVariant;

/**
 * One image of a job that asked for several variants, as its events tell it.
 *
 * @param variant its number, from 1
 * @param status {@code generated} (staged, not stored yet), {@code stored} or {@code failed}
 * @param storagePath its own path in the bucket once stored; null before, and when it failed
 * @param contentType its media type; null when it failed
 * @param sizeBytes its size; null when it failed
 * @param width its width in pixels; null when it failed
 * @param height its height in pixels; null when it failed
 * @param sha256 the SHA-256 of its bytes in hex; null when it failed
 * @param actualCostMicros what its provider call cost
 * @param errorClass why it failed; null when it did not
 * @param errorCode why it failed; null when it did not
 * @param errorMessage why it failed; null when it did not
 */
public record JobVariant(int variant, String status, String storagePath, String contentType, Long sizeBytes,
    Integer width, Integer height, String sha256, long actualCostMicros, String errorClass, String errorCode,
    String errorMessage) {

  public static final String GENERATED = "generated";
  public static final String STORED = "stored";
  public static final String FAILED = "failed";

  /** A variant as ImageGenerated ({@code stored} false: its path is a staged reference, not kept) or JobCompleted tells it. */
  static JobVariant of(ImageVariant variant, boolean stored) {
    boolean failed = variant.getErrorClass() != null || variant.getPath() == null;
    return new JobVariant(variant.getVariant(), failed ? FAILED : stored ? STORED : GENERATED,
        stored && !failed ? Text.clean(variant.getPath()) : null, Text.clean(variant.getContentType()),
        variant.getSizeBytes(), variant.getWidth(), variant.getHeight(), Text.clean(variant.getSha256()),
        variant.getActualCostMicros(), Text.clean(variant.getErrorClass()), Text.clean(variant.getErrorCode()),
        Text.clean(variant.getMessage()));
  }

  public boolean isStored() {
    return STORED.equals(status);
  }
}
