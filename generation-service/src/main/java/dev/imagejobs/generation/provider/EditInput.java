package dev.imagejobs.generation.provider;

import java.util.Objects;

/**
 * What an EDIT job changes: the image the instruction (the request's prompt) applies to, and the
 * mask of the region it may change. The source is also the first of the request's
 * {@linkplain GenerationRequest#references() images}, so a provider that sends images in order
 * sends it first; the mask is never among them. A provider that can confine its change to the mask
 * may use it; one that cannot (Gemini takes no masks) ignores it, since the job runner keeps the
 * source's pixels outside the mask whatever the provider returns.
 *
 * @param source the image to change, loaded and checked against the job's spec like a reference
 * @param mask a PNG of the source's size with an alpha channel whose opaque pixels (alpha 128 or
 *     more, on an 8-bit scale) mark the region that may change; null when the whole image may
 */
public record EditInput(ReferenceInput source, ReferenceInput mask) {
  public EditInput {
    Objects.requireNonNull(source, "source");
  }

  public boolean hasMask() {
    return mask != null;
  }
}
