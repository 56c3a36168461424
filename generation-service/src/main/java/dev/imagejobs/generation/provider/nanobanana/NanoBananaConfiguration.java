package dev.imagejobs.generation.provider.nanobanana;

import com.google.auth.oauth2.GoogleCredentials;
import dev.imagejobs.generation.provider.ImageProvider;
import java.io.IOException;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@code nano-banana} provider: on Vertex AI when a project is configured, else on the
 * Gemini API with or without an API key (without one, jobs that name it fail AUTH_ERROR
 * "IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY is not set" rather than "unknown provider").
 */
@Configuration(proxyBeanMethods = false)
class NanoBananaConfiguration {

  /** The scope Vertex AI's generateContent needs. */
  static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

  @Bean
  ImageProvider nanoBananaProvider(NanoBananaSettings settings) {
    return new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(),
        vertexCredentials(settings));
  }

  /**
   * With Vertex AI configured, the credentials that Application Default Credentials find; a start
   * without any fails here, naming what to set, rather than failing every job later.
   */
  static GoogleCredentials vertexCredentials(NanoBananaSettings settings) {
    if (!settings.vertex().enabled()) {
      return null;
    }
    try {
      return GoogleCredentials.getApplicationDefault().createScoped(CLOUD_PLATFORM);
    } catch (IOException e) {
      throw new IllegalStateException("Vertex AI (imagejobs.providers.nano-banana.vertex.project="
          + settings.vertex().project() + ") needs Google credentials and none were found: set "
          + "GOOGLE_APPLICATION_CREDENTIALS to a service account key file or run with workload identity ("
          + e.getMessage() + ")", e);
    }
  }
}
