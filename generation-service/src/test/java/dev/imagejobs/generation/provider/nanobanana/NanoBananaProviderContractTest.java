package dev.imagejobs.generation.provider.nanobanana;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ImageProviderContractTest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider contract, run against the nano-banana provider talking to a WireMock server that
 * answers like Gemini ({@link GeminiImageResponder}).
 */
class NanoBananaProviderContractTest extends ImageProviderContractTest {
  @RegisterExtension
  static final WireMockExtension gemini = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().extensions(new GeminiImageResponder(REFUSED_MARKER)))
      .build();

  @BeforeEach
  void answerLikeGemini() {
    gemini.stubFor(post(urlPathMatching("/v1beta/models/[^/]+:generateContent"))
        .willReturn(aResponse().withTransformers(GeminiImageResponder.NAME)));
  }

  @Override
  protected ImageProvider provider() {
    NanoBananaSettings settings = NanoBananaSettings.of("test-key", URI.create(gemini.baseUrl()));
    return new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(), null);
  }

  @Override
  protected ImageProvider providerAnsweringAfter(Duration latency) {
    gemini.stubFor(post(urlPathMatching("/v1beta/models/[^/]+:generateContent")).atPriority(1)
        .willReturn(aResponse().withFixedDelay((int) latency.toMillis()).withTransformers(GeminiImageResponder.NAME)));
    return provider();
  }

  @Override
  protected String model() {
    return NanoBananaSettings.DEFAULT_MODEL;
  }
}
