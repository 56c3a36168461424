package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Draws a deterministic PNG from the prompt at the requested aspect ratio: free, offline, and the
 * default of the local stack. Its knobs inject latency and failures to exercise the job pipeline.
 */
public class LocalImageProvider implements ImageProvider {
  public static final String NAME = "local";
  static final String CONTENT_TYPE = "image/png";

  private final LocalProviderSettings settings;

  public LocalImageProvider(LocalProviderSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Paints on {@link CompletableFuture}'s default async pool (the work is CPU-bound and short); the
   * configured latency is a timer, like a network wait, so a slow local provider holds no thread
   * while jobs wait.
   */
  @Override
  public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
    if (settings.latency().isZero()) {
      return CompletableFuture.supplyAsync(() -> draw(request));
    }
    Executor afterLatency = CompletableFuture.delayedExecutor(settings.latency().toMillis(), TimeUnit.MILLISECONDS);
    return CompletableFuture.supplyAsync(() -> draw(request), afterLatency);
  }

  private ImageArtifact draw(GenerationRequest request) {
    if (!settings.failMarker().isEmpty() && request.prompt().contains(settings.failMarker())) {
      throw new ProviderException(ErrorClass.PERMANENT, "LOCAL_FAIL_MARKER",
          "The prompt contains the configured failure marker '" + settings.failMarker() + "'");
    }
    if (settings.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < settings.failureRate()) {
      throw new ProviderException(ErrorClass.TEMPORARY, "LOCAL_INJECTED_FAILURE",
          "Injected failure (imagejobs.providers.local.failure-rate = " + settings.failureRate() + ")");
    }
    int[] size = dimensions(request.aspectRatio(), settings.longSide());
    byte[] png = PromptPainter.paint(request.prompt(), size[0], size[1]);
    return new ImageArtifact.Bytes(png, CONTENT_TYPE, null, ProviderUsage.NONE);
  }

  /** Width and height for {@code ratio} ("W:H") with the longer side at {@code longSide} pixels. */
  static int[] dimensions(String ratio, int longSide) {
    String[] parts = ratio == null ? new String[0] : ratio.split(":");
    if (parts.length != 2) {
      throw invalidRatio(ratio);
    }
    int w;
    int h;
    try {
      w = Integer.parseInt(parts[0].trim());
      h = Integer.parseInt(parts[1].trim());
    } catch (NumberFormatException e) {
      throw invalidRatio(ratio);
    }
    if (w <= 0 || h <= 0) {
      throw invalidRatio(ratio);
    }
    return w >= h
        ? new int[] {longSide, Math.max(1, Math.round(longSide * (float) h / w))}
        : new int[] {Math.max(1, Math.round(longSide * (float) w / h)), longSide};
  }

  private static ProviderException invalidRatio(String ratio) {
    return new ProviderException(ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO",
        "Aspect ratio must be two positive whole numbers W:H, got '" + ratio + "'");
  }
}
