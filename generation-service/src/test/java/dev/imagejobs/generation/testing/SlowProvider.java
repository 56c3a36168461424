package dev.imagejobs.generation.testing;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Another provider's image after a fixed latency, waited for on a timer; records its peak
 * concurrency. The image is drawn once per aspect ratio and then served again, so that many calls
 * measure waiting, not drawing.
 */
public final class SlowProvider implements ImageProvider {
  private final String name;
  private final ImageProvider delegate;
  private final Duration latency;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final Map<String, CompletableFuture<ImageArtifact>> drawn = new ConcurrentHashMap<>();

  public SlowProvider(String name, ImageProvider delegate, Duration latency) {
    this.name = name;
    this.delegate = delegate;
    this.latency = latency;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    return CompletableFuture.supplyAsync(() -> request,
            CompletableFuture.delayedExecutor(latency.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> drawn.computeIfAbsent(request.aspectRatio(), ratio -> delegate.generate(request)))
        .whenComplete((artifact, failure) -> inFlight.decrementAndGet());
  }

  /** The most calls that were running at the same time. */
  public int mostInFlight() {
    return mostInFlight.get();
  }
}
