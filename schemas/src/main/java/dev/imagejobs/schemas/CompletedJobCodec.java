package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.ImageJobCompleted;

/**
 * Avro single-object codec of the public {@code ImageJobCompleted} summary on
 * {@link Topics#COMPLETED}; reads every released version of it. Thread-safe.
 */
public final class CompletedJobCodec extends ReleasedRecordCodec<ImageJobCompleted> {
  /** Record name of the summary in the released-schema folder. */
  public static final String RECORD_NAME = "ImageJobCompleted";

  public CompletedJobCodec() {
    super(ImageJobCompleted.getClassSchema());
  }

  // Declared here as well, so code compiled against earlier releases of this class still links.

  @Override
  public byte[] encode(ImageJobCompleted summary) {
    return super.encode(summary);
  }

  @Override
  public ImageJobCompleted decode(byte[] bytes) {
    return super.decode(bytes);
  }
}
