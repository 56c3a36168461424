package dev.imagejobs.generation.provider;

import java.util.List;

/**
 * What to generate.
 *
 * @param jobId the job, for logs and provider request ids
 * @param run the job's run: 0 for its first, n for its n-th retry
 * @param attempt the attempt number within the run, starting at 1
 * @param prompt the prompt with the style text appended; for an edit, the instruction
 * @param aspectRatio e.g. {@code 16:9}
 * @param imageSize e.g. {@code 1K}, or {@code null} for the provider's default
 * @param model the provider's model id
 * @param references the images to send with the prompt, in the order the provider must receive
 *     them: for an edit its source first, then the job's reference images; empty when the job names
 *     none (null is taken as empty)
 * @param edit the source and mask of an EDIT job, or null for every other job
 * @param variant which of the job's variants this call makes, from 1; a job of several variants
 *     makes one call per variant, with the same prompt and images
 */
public record GenerationRequest(String jobId, int run, int attempt, String prompt, String aspectRatio,
    String imageSize, String model, List<ReferenceInput> references, EditInput edit, int variant) {

  /**
   * @throws IllegalArgumentException for an edit whose source is not the first image, or a variant
   *     below 1
   */
  public GenerationRequest {
    references = references == null ? List.of() : List.copyOf(references);
    if (edit != null && (references.isEmpty() || references.get(0) != edit.source())) {
      throw new IllegalArgumentException("An edit's source must be the first of the request's images");
    }
    if (variant < 1) {
      throw new IllegalArgumentException("Variants are numbered from 1, not " + variant);
    }
  }

  /** The request of a job of one image (variant 1). */
  public GenerationRequest(String jobId, int run, int attempt, String prompt, String aspectRatio, String imageSize,
      String model, List<ReferenceInput> references, EditInput edit) {
    this(jobId, run, attempt, prompt, aspectRatio, imageSize, model, references, edit, 1);
  }

  /** A request of a job of one image that edits nothing: it generates from the prompt and {@code references}. */
  public GenerationRequest(String jobId, int run, int attempt, String prompt, String aspectRatio, String imageSize,
      String model, List<ReferenceInput> references) {
    this(jobId, run, attempt, prompt, aspectRatio, imageSize, model, references, null);
  }

  /** Whether this request changes an image ({@link #edit} is set). */
  public boolean isEdit() {
    return edit != null;
  }
}
