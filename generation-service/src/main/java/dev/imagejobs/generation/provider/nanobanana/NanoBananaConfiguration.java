package dev.imagejobs.generation.provider.nanobanana;

import dev.imagejobs.generation.provider.ImageProvider;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@code nano-banana} provider, with or without an API key: without one, jobs that
 * name it fail AUTH_ERROR "GEMINI_API_KEY is not set" rather than "unknown provider".
 */
@Configuration(proxyBeanMethods = false)
class NanoBananaConfiguration {

  @Bean
  ImageProvider nanoBananaProvider(NanoBananaSettings settings) {
    return new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC());
  }
}
