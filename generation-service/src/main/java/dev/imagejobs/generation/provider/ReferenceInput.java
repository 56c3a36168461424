package dev.imagejobs.generation.provider;

import java.util.Objects;

/**
 * A reference image sent to the provider with the prompt (composition, character consistency),
 * loaded from the store and checked against the job's spec by the job runner before the call.
 *
 * @param contentType {@code image/png}, {@code image/jpeg} or {@code image/webp}
 * @param content the image's bytes; not copied, since they count against the runner's memory budget
 *     for reference images, so never modify them
 */
public record ReferenceInput(String contentType, byte[] content) {
  public ReferenceInput {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(content, "content");
  }

  /** Names the type and size only: the bytes do not belong in logs. */
  @Override
  public String toString() {
    return "ReferenceInput[" + contentType + ", " + content.length + " bytes]";
  }
}
