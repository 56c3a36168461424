package dev.imagejobs.generation.provider.nanobanana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.nanobanana.NanoBananaSettings.ModelPrice;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class NanoBananaSettingsTest {
  private static final String PREFIX = "imagejobs.providers.nano-banana";

  @Test
  void givenNothingConfigured_thenTheDefaultsApply() {
    NanoBananaSettings settings = bind(Map.of());

    assertThat(settings.apiKey()).isEmpty();
    assertThat(settings.hasApiKey()).isFalse();
    assertThat(settings.baseUrl()).isEqualTo(URI.create("https://generativelanguage.googleapis.com"));
    assertThat(settings.model()).isEqualTo("gemini-2.5-flash-image");
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.prices()).isEmpty();
  }

  @Test
  void givenAnApiKey_thenTheSettingsNeverShowIt() {
    NanoBananaSettings settings = bind(Map.of(PREFIX + ".api-key", "AIza-very-secret-key"));

    assertThat(settings.toString()).doesNotContain("AIza-very-secret-key").contains("apiKey=(set)")
        .contains("gemini-2.5-flash-image");
    assertThat(bind(Map.of()).toString()).contains("apiKey=(not set)");
  }

  @Test
  void givenPricesKeyedByModelIdsWithDots_thenTheyBindWhole() {
    NanoBananaSettings settings = bind(Map.of(
        PREFIX + ".api-key", " secret ",
        PREFIX + ".response-timeout", "45s",
        PREFIX + ".prices[gemini-2.5-flash-image].input", "0.25",
        PREFIX + ".prices[gemini-2.5-flash-image].text-output", "2",
        PREFIX + ".prices[gemini-2.5-flash-image].image-output", "29.5"));

    assertThat(settings.apiKey()).isEqualTo("secret");
    assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(settings.prices()).containsExactly(Map.entry("gemini-2.5-flash-image",
        new ModelPrice(new BigDecimal("0.25"), new BigDecimal("2"), new BigDecimal("29.5"))));
  }

  @Test
  void givenAPriceMissingARate_thenStartupFails() {
    assertThatThrownBy(() -> bind(Map.of(PREFIX + ".prices[gemini-x].input", "1")))
        .isInstanceOf(BindException.class)
        .rootCause().hasMessageContaining("text-output");
  }

  @Test
  void givenANonPositiveTimeout_thenStartupFails() {
    assertThatThrownBy(() -> bind(Map.of(PREFIX + ".connect-timeout", "0s")))
        .isInstanceOf(BindException.class)
        .rootCause().hasMessageContaining("connect-timeout must be positive");
  }

  private static NanoBananaSettings bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate(PREFIX, NanoBananaSettings.class);
  }
}
