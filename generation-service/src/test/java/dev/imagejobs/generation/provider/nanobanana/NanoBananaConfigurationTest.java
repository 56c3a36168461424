package dev.imagejobs.generation.provider.nanobanana;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class NanoBananaConfigurationTest {
  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withInitializer(new ConfigDataApplicationContextInitializer())
      .withUserConfiguration(WithSettings.class);

  @Test
  void givenTheServicesConfigurationWithoutAKey_thenTheProviderIsRegisteredAndFailsWithAnAuthError() {
    context.withPropertyValues("imagejobs.providers.nano-banana.api-key=").run(app -> {
      ImageProvider provider = app.getBean(ImageProvider.class);

      assertThat(provider.name()).isEqualTo("nano-banana");
      assertThat(provider.generate(new GenerationRequest("job-1", 0, 1, "A fox", "1:1", null, null, List.of())))
          .failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(Exception.class)
          .havingCause()
          .isInstanceOfSatisfying(ProviderException.class,
              e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.AUTH_ERROR));
    });
  }

  @Test
  void givenTheServicesConfiguration_thenItsDefaultsAreTheDocumentedOnes() {
    context.withPropertyValues("imagejobs.providers.nano-banana.api-key=").run(app -> {
      NanoBananaSettings settings = app.getBean(NanoBananaSettings.class);

      assertThat(settings.model()).isEqualTo("gemini-2.5-flash-image");
      assertThat(settings.baseUrl()).hasToString("https://generativelanguage.googleapis.com");
      assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(90));
    });
  }

  @Test
  void givenAModelFromTheEnvironmentVariable_thenItIsTheDefaultModel() {
    context.withInitializer(app -> app.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
            "test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.of("IMAGEJOBS_PROVIDERS_NANO_BANANA_MODEL", "gemini-3-pro-image-preview"))))
        .run(app -> assertThat(app.getBean(NanoBananaSettings.class).model()).isEqualTo("gemini-3-pro-image-preview"));
  }

  /** What the application's {@code @ConfigurationPropertiesScan} does for the settings record. */
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(NanoBananaSettings.class)
  @Import(NanoBananaConfiguration.class)
  static class WithSettings {}
}
