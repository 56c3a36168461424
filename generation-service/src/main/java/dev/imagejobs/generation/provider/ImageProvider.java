package dev.imagejobs.generation.provider;

/**
 * A service that turns a prompt into an image. Implementations never touch Kafka or storage; they
 * classify every failure into an {@link ErrorClass}.
 */
public interface ImageProvider {

  /** The name jobs use to select the provider ({@code JobSpec.provider}). */
  String name();

  /**
   * Generates one image. May block for the provider's latency; callers run it off consumer threads.
   *
   * @throws ProviderException with the error's class, code and message
   */
  ImageArtifact generate(GenerationRequest request);
}
