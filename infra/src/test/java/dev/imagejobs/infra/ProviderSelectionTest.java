package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSelectionTest {

  @Test
  void givenNoGeminiKey_thenTheServicesKeepTheLocalProvider() {
    Map<String, String> environment = new HashMap<>(Map.of("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY", " "));

    LocalStack.selectProvider(environment);

    assertThat(environment).doesNotContainKeys("IMAGEJOBS_JOBS_PROVIDER", "IMAGEJOBS_JOBS_MODEL");
  }

  @Test
  void givenAGeminiKey_thenJobsGoToNanoBananaWithTheDefaultModel() {
    Map<String, String> environment = new HashMap<>(Map.of("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY", "key"));

    LocalStack.selectProvider(environment);

    assertThat(environment).containsEntry("IMAGEJOBS_JOBS_PROVIDER", "nano-banana")
        .containsEntry("IMAGEJOBS_JOBS_MODEL", "gemini-2.5-flash-image");
  }

  @Test
  void givenAGeminiKeyAndAChosenModel_thenThatModelIsUsed() {
    Map<String, String> environment =
        new HashMap<>(Map.of("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY", "key", "IMAGEJOBS_PROVIDERS_NANO_BANANA_MODEL", "gemini-3-pro-image-preview"));

    LocalStack.selectProvider(environment);

    assertThat(environment).containsEntry("IMAGEJOBS_JOBS_MODEL", "gemini-3-pro-image-preview");
  }

  @Test
  void givenAnExplicitProvider_thenItWins() {
    Map<String, String> environment = new HashMap<>(Map.of("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY", "key", "IMAGEJOBS_JOBS_PROVIDER", "local"));

    LocalStack.selectProvider(environment);

    assertThat(environment).containsEntry("IMAGEJOBS_JOBS_PROVIDER", "local").doesNotContainKey("IMAGEJOBS_JOBS_MODEL");
  }
}
