package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import java.util.concurrent.ThreadLocalRandom;

/** Draws a deterministic PNG from the prompt at the requested aspect ratio; free and offline. */
public class LocalImageProvider implements ImageProvider {
  public static final String NAME = "local";

  private final LocalProviderSettings settings;

  public LocalImageProvider(LocalProviderSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ImageArtifact generate(GenerationRequest request) {
    simulateLatency();
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
    return new ImageArtifact.Bytes(png, "image/png", null, ProviderUsage.NONE);
  }

  /** Width and height for {@code ratio} ("W:H") with the longer side at {@code longSide} pixels. */
  static int[] dimensions(String ratio, int longSide) {
    String[] parts = ratio == null ? new String[0] : ratio.split(":");
    if (parts.length != 2) {
      throw new ProviderException(ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO", "Aspect ratio must be W:H, got " + ratio);
    }
    int w;
    int h;
    try {
      w = Integer.parseInt(parts[0]);
      h = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new ProviderException(ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO", "Aspect ratio must be W:H, got " + ratio);
    }
    if (w <= 0 || h <= 0) {
      throw new ProviderException(ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO", "Aspect ratio must be positive: " + ratio);
    }
    return w >= h
        ? new int[] {longSide, Math.round(longSide * (float) h / w)}
        : new int[] {Math.round(longSide * (float) w / h), longSide};
  }

  private void simulateLatency() {
    if (settings.latency().isZero()) {
      return;
    }
    try {
      Thread.sleep(settings.latency().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ErrorClass.TEMPORARY, "INTERRUPTED", "Interrupted while generating");
    }
  }
}
