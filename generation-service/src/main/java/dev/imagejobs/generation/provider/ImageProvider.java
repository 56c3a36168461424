package dev.imagejobs.generation.provider;

import java.util.concurrent.CompletableFuture;

/**
 * A service that turns a prompt into an image. Implementations never touch Kafka or storage, answer
 * without holding the caller's thread for the provider's latency, and classify every failure.
 */
public interface ImageProvider {

  /** The name jobs use to select the provider ({@code JobSpec.provider}). */
  String name();

  /** The client-side cap of this provider's calls per minute on this instance; 0 for none. */
  default int requestsPerMinute() {
    return 0;
  }

  /**
   * Starts one generation and returns at once. A call takes seconds to a minute at a real provider,
   * so waiting happens in the returned future (an HTTP client's event loop, a timer), not in a
   * thread per call: that keeps many jobs in flight cheap.
   *
   * @return the artifact, or a future failed with a {@link ProviderException} giving the error's
   *     class, code and message
   */
  CompletableFuture<ImageArtifact> generate(GenerationRequest request);
}
