package dev.imagejobs.generation.provider.local;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Knobs of the local provider, all off by default.
 *
 * @param failMarker a prompt containing this text fails PERMANENT (empty = off)
 * @param latency how long each generation takes
 * @param failureRate share of calls, 0.0 to 1.0, that fail TEMPORARY
 * @param longSide pixels of the image's longer side
 * @param mode whether each image is drawn from its prompt or a picture drawn once per size is
 *     returned again
 * @param callLog a file every call is appended to, when it starts and when it ends (process, job,
 *     run, attempt, outcome), shared by every instance: how fault runs count provider calls; none
 *     when unset
 */
@ConfigurationProperties("imagejobs.providers.local")
public record LocalProviderSettings(
    String failMarker,
    @DefaultValue("0ms") Duration latency,
    @DefaultValue("0") double failureRate,
    @DefaultValue("1024") int longSide,
    @DefaultValue("draw") Mode mode,
    Path callLog) {

  /** How the local provider comes by its images. */
  public enum Mode {
    /** Draws a picture from each prompt (some tens of milliseconds of CPU for 1024 pixels): for demos. */
    DRAW,
    /**
     * Draws one picture per size, the first time it is asked for, and returns it for every job of
     * that size: the provider then costs next to nothing, for load tests of the pipeline.
     */
    PRERENDERED
  }

  @ConstructorBinding
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
    mode = mode == null ? Mode.DRAW : mode;
  }

  /** Settings without a call log. */
  public LocalProviderSettings(String failMarker, Duration latency, double failureRate, int longSide, Mode mode) {
    this(failMarker, latency, failureRate, longSide, mode, null);
  }

  /** Settings that draw every image. */
  public LocalProviderSettings(String failMarker, Duration latency, double failureRate, int longSide) {
    this(failMarker, latency, failureRate, longSide, Mode.DRAW);
  }

  public static LocalProviderSettings defaults() {
    return new LocalProviderSettings("", Duration.ZERO, 0, 1024, Mode.DRAW);
  }
}
