package dev.imagejobs.generation.provider.local;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Knobs of the local provider, all off by default.
 *
 * @param failMarker a prompt containing this text fails PERMANENT (empty = off)
 * @param latency how long each generation takes
 * @param failureRate share of calls, 0.0 to 1.0, that fail TEMPORARY
 * @param longSide pixels of the image's longer side
 */
@ConfigurationProperties("imagejobs.providers.local")
public record LocalProviderSettings(String failMarker, Duration latency, double failureRate, int longSide) {
  public LocalProviderSettings {
    failMarker = failMarker == null ? "" : failMarker;
    latency = latency == null ? Duration.ZERO : latency;
    if (latency.isNegative()) {
      throw new IllegalArgumentException("imagejobs.providers.local.latency must not be negative");
    }
    if (failureRate < 0 || failureRate > 1) {
      throw new IllegalArgumentException("imagejobs.providers.local.failure-rate must be between 0 and 1");
    }
    longSide = longSide <= 0 ? 1024 : longSide;
  }

  public static LocalProviderSettings defaults() {
    return new LocalProviderSettings("", Duration.ZERO, 0, 1024);
  }
}
