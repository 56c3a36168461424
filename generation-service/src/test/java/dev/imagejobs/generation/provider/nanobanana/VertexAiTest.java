package dev.imagejobs.generation.provider.nanobanana;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import java.awt.Color;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider on Vertex AI, against a WireMock server that answers as Google's OAuth token service
 * (the JWT-bearer grant a service account uses) and as Vertex AI's {@code generateContent}.
 */
class VertexAiTest {
  private static final String PROJECT = "film-prod-1";
  private static final String PATH = "/v1/projects/" + PROJECT
      + "/locations/global/publishers/google/models/gemini-2.5-flash-image:generateContent";
  private static final String TOKEN_PATH = "/token";
  private static final String TOKEN = "ya29.vertex-test-token";

  @RegisterExtension
  static final WireMockExtension google =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @Test
  void givenAServiceAccount_thenEachCallCarriesItsBearerTokenFetchedOnceAndNoApiKey() throws Exception {
    google.stubFor(post(urlEqualTo(TOKEN_PATH))
        .willReturn(okJson("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
    google.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(GeminiResponses.imageAnswer(GeminiResponses.png(16, 9, Color.ORANGE), null))));
    NanoBananaProvider provider = vertexProvider();

    ImageArtifact first = provider.generate(request()).get(10, TimeUnit.SECONDS);
    provider.generate(request()).get(10, TimeUnit.SECONDS);

    assertThat(first.usage().costMicros()).isPositive();
    google.verify(2, postRequestedFor(urlEqualTo(PATH))
        .withHeader("Authorization", equalTo("Bearer " + TOKEN))
        .withHeader("x-goog-api-key", absent())
        .withRequestBody(equalToJson("""
            {"contents": [{"role": "user", "parts": [{"text": "A harbour at dawn"}]}],
             "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}}
            """)));
    google.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH))
        .withRequestBody(containing("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")));
  }

  @Test
  void givenTheTokenServiceRefusesTheKey_thenTheAttemptIsAnAuthErrorAndTheModelIsNotCalled() {
    google.stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}")));

    assertFailure(vertexProvider(), e -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.AUTH_ERROR);
      assertThat(e.code()).isEqualTo("CREDENTIALS_REJECTED");
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("invalid_grant");
    });
    google.verify(0, postRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void givenVertexSettings_thenTheEndpointFollowsTheLocationAndBadNamesAreRefused() {
    assertThat(new NanoBananaSettings.Vertex(PROJECT, null, null).endpoint("gemini-2.5-flash-image"))
        .isEqualTo(URI.create("https://aiplatform.googleapis.com" + PATH));
    assertThat(new NanoBananaSettings.Vertex(PROJECT, "europe-west4", null).endpoint("m"))
        .isEqualTo(URI.create("https://europe-west4-aiplatform.googleapis.com/v1/projects/" + PROJECT
            + "/locations/europe-west4/publishers/google/models/m:generateContent"));
    assertThat(new NanoBananaSettings.Vertex("", null, null).enabled()).isFalse();
    assertThatThrownBy(() -> new NanoBananaSettings.Vertex("../other", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vertex.project");
    assertThatThrownBy(() -> new NanoBananaSettings.Vertex(PROJECT, "eu/west", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vertex.location");
  }

  private static NanoBananaProvider vertexProvider() {
    NanoBananaSettings settings = new NanoBananaSettings("", null, null, null, null, null, null,
        new NanoBananaSettings.Vertex(PROJECT, null, URI.create(google.baseUrl())), 0);
    ServiceAccountCredentials credentials = ServiceAccountCredentials.newBuilder()
        .setClientEmail("image-jobs@" + PROJECT + ".iam.gserviceaccount.com")
        .setPrivateKey(privateKey())
        .setPrivateKeyId("test-key")
        .setProjectId(PROJECT)
        .setTokenServerUri(URI.create(google.baseUrl() + TOKEN_PATH))
        .setScopes(List.of(NanoBananaConfiguration.CLOUD_PLATFORM))
        .build();
    return new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(), credentials);
  }

  private static PrivateKey privateKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair().getPrivate();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static GenerationRequest request() {
    return new GenerationRequest("job-1", 0, 1, "A harbour at dawn", "16:9", null, null, List.of());
  }

  private static void assertFailure(NanoBananaProvider provider, java.util.function.Consumer<ProviderException> check) {
    assertThatThrownBy(() -> provider.generate(request()).get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ProviderException.class, check);
  }
}
