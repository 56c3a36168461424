package dev.imagejobs.generation.provider;

import java.util.List;

/**
 * What to generate.
 *
 * @param jobId the job, for logs and provider request ids
 * @param run the job's run: 0 for its first, n for its n-th retry
 * @param attempt the attempt number within the run, starting at 1
 * @param prompt the prompt with the style text appended
 * @param aspectRatio e.g. {@code 16:9}
 * @param imageSize e.g. {@code 1K}, or {@code null} for the provider's default
 * @param model the provider's model id
 * @param references the reference images to send with the prompt, in the order the provider must
 *     receive them; empty when the job names none (null is taken as empty)
 */
public record GenerationRequest(String jobId, int run, int attempt, String prompt, String aspectRatio,
    String imageSize, String model, List<ReferenceInput> references) {

  public GenerationRequest {
    references = references == null ? List.of() : List.copyOf(references);
  }
}
