package dev.imagejobs.generation.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class LocalProviderSettingsTest {
  private static final String PREFIX = "imagejobs.providers.local";

  @Test
  void givenNothingConfigured_thenImagesAreDrawnAt1024PixelsWithoutLatencyOrFailures() {
    LocalProviderSettings settings = bind(Map.of());

    assertThat(settings.mode()).isEqualTo(LocalProviderSettings.Mode.DRAW);
    assertThat(settings.longSide()).isEqualTo(1024);
    assertThat(settings.latency()).isZero();
    assertThat(settings.failureRate()).isZero();
    assertThat(settings.failMarker()).isEmpty();
  }

  @Test
  void givenTheModeInLowerCase_thenItBinds() {
    LocalProviderSettings settings = bind(Map.of(PREFIX + ".mode", "prerendered", PREFIX + ".latency", "250ms"));

    assertThat(settings.mode()).isEqualTo(LocalProviderSettings.Mode.PRERENDERED);
    assertThat(settings.latency()).isEqualTo(Duration.ofMillis(250));
  }

  private static LocalProviderSettings bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate(PREFIX, LocalProviderSettings.class);
  }
}
