package dev.imagejobs.generation.provider.nanobanana;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.generation.testing.ReferenceImages;
import java.awt.Color;
import java.awt.Rectangle;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;

/** The provider against a WireMock server answering as the Gemini API does, success and every failure. */
class NanoBananaProviderTest {
  private static final String KEY = "test-key-123";
  private static final String DEFAULT_PATH = "/v1beta/models/gemini-2.5-flash-image:generateContent";

  @RegisterExtension
  static final WireMockExtension gemini =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @Test
  void givenAnImageAnswer_thenTheRequestIsTheDocumentedOneAndTheImageComesBackAsBase64() throws Exception {
    byte[] png = GeminiResponses.png(16, 9, Color.ORANGE);
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(png, "A warm harbour at dawn."));

    ImageArtifact artifact = generate(provider(), request("A harbour at dawn", "16:9", "2K", null));

    // The default model, gemini-2.5-flash-image, takes no imageSize.
    gemini.verify(postRequestedFor(urlEqualTo(DEFAULT_PATH))
        .withHeader("x-goog-api-key", equalTo(KEY))
        .withHeader("Content-Type", equalTo("application/json"))
        .withRequestBody(equalToJson("""
            {"contents": [{"role": "user", "parts": [{"text": "A harbour at dawn"}]}],
             "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                  "imageConfig": {"aspectRatio": "16:9"}}}""")));
    assertThat(artifact).isInstanceOfSatisfying(ImageArtifact.Base64.class, image -> {
      assertThat(Base64.getDecoder().decode(image.data())).isEqualTo(png);
      assertThat(image.contentType()).isEqualTo("image/png");
      assertThat(image.providerNotes()).isEqualTo("A warm harbour at dawn.");
    });
    // 12 x 0.30 + 9 x 2.50 + 1290 x 30.00 = 38726.1 micro-USD
    assertThat(artifact.usage()).isEqualTo(new ProviderUsage(12, 9, 0, 1290, 38_726));
  }

  @Test
  void givenReferenceImages_thenEachIsSentInlineInOrderBeforeTheText() throws Exception {
    byte[] png = GeminiResponses.png(4, 4, Color.RED);
    byte[] jpeg = ReferenceImages.solidJpeg(4, 4, Color.BLUE);
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(GeminiResponses.png(2, 2, Color.BLUE), null));
    GenerationRequest request = new GenerationRequest("job-7", 0, 1, "The same fox, now in winter", "1:1", null, null,
        List.of(new ReferenceInput("image/png", png), new ReferenceInput("image/jpeg", jpeg)));

    generate(provider(), request);

    JsonNode content = GeminiResponses.JSON.readTree(gemini.getAllServeEvents().get(0).getRequest().getBodyAsString())
        .path("contents");
    assertThat(content.size()).as("one user turn").isEqualTo(1);
    JsonNode parts = content.path(0).path("parts");
    assertThat(parts.size()).isEqualTo(3);
    assertThat(parts.path(0).path("inlineData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(Base64.getDecoder().decode(parts.path(0).path("inlineData").path("data").asString())).isEqualTo(png);
    assertThat(parts.path(1).path("inlineData").path("mimeType").asString()).isEqualTo("image/jpeg");
    assertThat(Base64.getDecoder().decode(parts.path(1).path("inlineData").path("data").asString())).isEqualTo(jpeg);
    assertThat(parts.path(2).path("text").asString()).isEqualTo("The same fox, now in winter");
    assertThat(parts.path(2).has("inlineData")).isFalse();
  }

  @Test
  void givenAnEdit_thenTheSourceIsTheFirstInlinePartThenTheReferencesThenTheInstructionAndTheMaskIsNotSent()
      throws Exception {
    byte[] source = GeminiResponses.png(16, 9, Color.ORANGE);
    byte[] reference = ReferenceImages.solidJpeg(4, 4, Color.BLUE);
    byte[] mask = ReferenceImages.mask(16, 9, new Rectangle(0, 0, 8, 9));
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(GeminiResponses.png(16, 9, Color.BLUE), null));
    ReferenceInput sourceInput = new ReferenceInput("image/png", source);
    GenerationRequest request = new GenerationRequest("job-8", 0, 1, "Replace the sky with a storm\n\nStyle: ink",
        "16:9", null, null, List.of(sourceInput, new ReferenceInput("image/jpeg", reference)),
        new EditInput(sourceInput, new ReferenceInput("image/png", mask)));

    generate(provider(), request);

    String body = gemini.getAllServeEvents().get(0).getRequest().getBodyAsString();
    JsonNode parts = GeminiResponses.JSON.readTree(body).path("contents").path(0).path("parts");
    assertThat(parts.size()).as("source, reference, instruction: no mask").isEqualTo(3);
    assertThat(parts.path(0).path("inlineData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(Base64.getDecoder().decode(parts.path(0).path("inlineData").path("data").asString())).isEqualTo(source);
    assertThat(parts.path(1).path("inlineData").path("mimeType").asString()).isEqualTo("image/jpeg");
    assertThat(Base64.getDecoder().decode(parts.path(1).path("inlineData").path("data").asString()))
        .isEqualTo(reference);
    assertThat(parts.path(2).path("text").asString()).isEqualTo("Replace the sky with a storm\n\nStyle: ink");
    assertThat(body).doesNotContain(Base64.getEncoder().encodeToString(mask));
    gemini.verify(postRequestedFor(urlEqualTo(DEFAULT_PATH)).withRequestBody(equalToJson(
        "{\"generationConfig\": {\"responseModalities\": [\"TEXT\", \"IMAGE\"], "
            + "\"imageConfig\": {\"aspectRatio\": \"16:9\"}}}", true, true)));
  }

  @Test
  void givenAModelInTheRequest_thenItIsCalledInsteadOfTheDefault() throws Exception {
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(GeminiResponses.png(2, 2, Color.BLUE), null));

    ImageArtifact artifact = generate(provider(), request("A fox", "1:1", null, "gemini-3-pro-image-preview"));

    gemini.verify(postRequestedFor(urlEqualTo("/v1beta/models/gemini-3-pro-image-preview:generateContent")));
    assertThat(artifact.providerNotes()).isNull();
    // Priced at the pro model's rates: 12 x 2.00 + 1290 x 120.00
    assertThat(artifact.usage().costMicros()).isEqualTo(24 + 154_800);
  }

  @Test
  void givenAModelWithTheModelsPrefix_thenThePrefixIsNotDoubled() throws Exception {
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(GeminiResponses.png(2, 2, Color.BLUE), null));

    generate(provider(), request("A fox", "1:1", null, "models/gemini-2.5-flash-image"));

    gemini.verify(postRequestedFor(urlEqualTo(DEFAULT_PATH)));
  }

  @Test
  void givenAGemini3Model_thenTheImageSizeIsSent() throws Exception {
    String path = "/v1beta/models/gemini-3-pro-image-preview:generateContent";
    gemini.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(GeminiResponses.imageAnswer(GeminiResponses.png(16, 9, Color.RED), null))));

    generate(provider(), request("A harbour at dawn", "16:9", "2K", "gemini-3-pro-image-preview"));

    gemini.verify(postRequestedFor(urlEqualTo(path)).withRequestBody(equalToJson(
        "{\"generationConfig\": {\"imageConfig\": {\"aspectRatio\": \"16:9\", \"imageSize\": \"2K\"}}}",
        true, true)));
  }

  @Test
  void givenNoImageSize_thenOnlyTheAspectRatioIsSent() throws Exception {
    givenGeminiAnswers(200, GeminiResponses.imageAnswer(GeminiResponses.png(2, 2, Color.BLUE), null));

    generate(provider(), request("A fox", "3:4", null, " "));

    gemini.verify(postRequestedFor(urlEqualTo(DEFAULT_PATH)).withRequestBody(equalToJson(
        "{\"generationConfig\": {\"imageConfig\": {\"aspectRatio\": \"3:4\"}}}", true, true)));
    assertThat(gemini.getAllServeEvents().get(0).getRequest().getBodyAsString()).doesNotContain("imageSize");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        // status, body, class, code, retryable
        failure(400, GeminiResponses.error(400, "INVALID_ARGUMENT", "Unsupported aspect ratio"),
            ErrorClass.PERMANENT, "INVALID_ARGUMENT", false),
        failure(400, GeminiResponses.invalidApiKey(), ErrorClass.AUTH_ERROR, "API_KEY_INVALID", false),
        failure(402, GeminiResponses.error(402, "FAILED_PRECONDITION", "Billing required"),
            ErrorClass.PERMANENT, "FAILED_PRECONDITION", false),
        failure(403, GeminiResponses.error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers"),
            ErrorClass.AUTH_ERROR, "PERMISSION_DENIED", false),
        failure(404, GeminiResponses.error(404, "NOT_FOUND", "models/gemini-9 is not found"),
            ErrorClass.PERMANENT, "NOT_FOUND", false),
        failure(429, GeminiResponses.perMinuteQuota("31s"), ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", true),
        failure(429, GeminiResponses.dailyQuota(), ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", false),
        failure(500, GeminiResponses.error(500, "INTERNAL", "An internal error has occurred"),
            ErrorClass.TEMPORARY, "INTERNAL", true),
        failure(503, GeminiResponses.error(503, "UNAVAILABLE", "The model is overloaded"),
            ErrorClass.TEMPORARY, "UNAVAILABLE", true),
        failure(504, GeminiResponses.error(504, "DEADLINE_EXCEEDED", "Deadline expired"),
            ErrorClass.TEMPORARY, "DEADLINE_EXCEEDED", true),
        failure(200, GeminiResponses.answerWithoutImage("SAFETY", null), ErrorClass.CONTENT_BLOCKED, "SAFETY", false),
        failure(200, GeminiResponses.answerWithoutImage("IMAGE_SAFETY", null),
            ErrorClass.CONTENT_BLOCKED, "IMAGE_SAFETY", false),
        failure(200, GeminiResponses.answerWithoutImage("NO_IMAGE", null), ErrorClass.PERMANENT, "NO_IMAGE", false),
        failure(200, GeminiResponses.blockedPrompt("PROHIBITED_CONTENT"),
            ErrorClass.CONTENT_BLOCKED, "PROHIBITED_CONTENT", false),
        failure(200, GeminiResponses.answerWithoutImage("STOP", "Here is a poem instead."),
            ErrorClass.PERMANENT, "NO_IMAGE", false),
        failure(200, "{\"candidates\": [", ErrorClass.UNKNOWN, "MALFORMED_RESPONSE", false),
        failure(200, "[]", ErrorClass.UNKNOWN, "MALFORMED_RESPONSE", false));
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("failures")
  void givenAFailingAnswer_thenTheFutureFailsWithItsClass(int status, String body, ErrorClass errorClass, String code,
      boolean retryable) {
    givenGeminiAnswers(status, body);

    assertFailure(request("A harbour", "1:1", null, null), e -> {
      assertThat(e.errorClass()).isEqualTo(errorClass);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.retryable()).isEqualTo(retryable);
    });
  }

  @Test
  void givenAPerMinuteRateLimit_thenTheFailureCarriesGeminisDelay() {
    givenGeminiAnswers(429, GeminiResponses.perMinuteQuota("31s"));

    assertFailure(request("A harbour", "1:1", null, null),
        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(31)));
  }

  @Test
  void givenARetryAfterHeader_thenTheFailureCarriesItsDelay() {
    gemini.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "7")));

    assertFailure(request("A harbour", "1:1", null, null), e -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    });
  }

  @Test
  void givenAnInvalidKey_thenTheMessageIsClearForPeople() {
    givenGeminiAnswers(400, GeminiResponses.invalidApiKey());

    assertFailure(request("A harbour", "1:1", null, null), e -> assertThat(e.getMessage())
        .isEqualTo("Gemini rejected the API key (API_KEY_INVALID); check IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY"));
  }

  @Test
  void givenAnAnswerSlowerThanTheResponseTimeout_thenItFailsWithProviderTimeout() {
    gemini.stubFor(post(anyUrl()).willReturn(json(200, GeminiResponses.imageAnswer(
        GeminiResponses.png(2, 2, Color.RED), null)).withFixedDelay(3_000)));
    NanoBananaSettings settings = new NanoBananaSettings(KEY, URI.create(gemini.baseUrl()), null, null,
        Duration.ofMillis(300), null, null, null, 0);

    assertFailure(new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(), null),
        request("A harbour", "1:1", null, null), e -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
          assertThat(e.code()).isEqualTo("PROVIDER_TIMEOUT");
          assertThat(e.retryable()).isTrue();
        });
  }

  @Test
  void givenAnAnswerLargerThanTheCap_thenItFailsPermanentlyWithoutBeingReadWhole() {
    gemini.stubFor(post(anyUrl()).willReturn(json(200, GeminiResponses.imageAnswer(
        GeminiResponses.png(512, 512, Color.RED), null))));
    NanoBananaSettings settings = new NanoBananaSettings(KEY, URI.create(gemini.baseUrl()), null, null, null,
        DataSize.ofBytes(1024), null, null, 0);

    assertFailure(new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(), null),
        request("A harbour", "1:1", null, null), e -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(e.code()).isEqualTo("RESPONSE_TOO_LARGE");
          assertThat(e.getMessage()).contains("1024 bytes");
        });
  }

  @Test
  void givenTheConnectionIsReset_thenItFailsTemporarily() {
    gemini.stubFor(post(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    assertFailure(request("A harbour", "1:1", null, null), e -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
      assertThat(e.code()).isEqualTo("NETWORK_ERROR");
      assertThat(e.retryable()).isTrue();
    });
  }

  @Test
  void givenNoApiKey_thenItFailsWithAnAuthErrorWithoutCallingGemini() {
    NanoBananaSettings settings = NanoBananaSettings.of("", URI.create(gemini.baseUrl()));
    NanoBananaProvider keyless = new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings),
        Clock.systemUTC(), null);

    assertFailure(keyless, request("A harbour", "1:1", null, null), e -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.AUTH_ERROR);
      assertThat(e.getMessage()).startsWith("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY is not set");
    });
    gemini.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void givenAModelIdWithPathCharacters_thenItFailsPermanentlyWithoutCallingGemini() {
    assertFailure(request("A harbour", "1:1", null, "../../v1/files?x="), e -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
      assertThat(e.code()).isEqualTo("INVALID_MODEL");
    });
    gemini.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void givenAKeyNoHeaderCanCarry_thenTheFutureFailsInsteadOfTheCall() {
    NanoBananaSettings settings = NanoBananaSettings.of("abc\ndef", URI.create(gemini.baseUrl()));
    NanoBananaProvider provider = new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings),
        Clock.systemUTC(), null);

    assertFailure(provider, request("A harbour", "1:1", null, null),
        e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.UNKNOWN));
    gemini.verify(0, anyRequestedFor(anyUrl()));
  }

  private static Arguments failure(int status, String body, ErrorClass errorClass, String code, boolean retryable) {
    return Arguments.of(status, body, errorClass, code, retryable);
  }

  private static void givenGeminiAnswers(int status, String body) {
    gemini.stubFor(post(anyUrl()).willReturn(json(status, body)));
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8").withBody(body);
  }

  private static NanoBananaProvider provider() {
    NanoBananaSettings settings = NanoBananaSettings.of(KEY, URI.create(gemini.baseUrl()));
    return new NanoBananaProvider(settings, NanoBananaProvider.httpClient(settings), Clock.systemUTC(), null);
  }

  private static GenerationRequest request(String prompt, String ratio, String imageSize, String model) {
    return new GenerationRequest("job-7", 0, 2, prompt, ratio, imageSize, model, List.of());
  }

  private static ImageArtifact generate(NanoBananaProvider provider, GenerationRequest request) throws Exception {
    return provider.generate(request).get(10, TimeUnit.SECONDS);
  }

  private static void assertFailure(GenerationRequest request, Consumer<ProviderException> expectations) {
    assertFailure(provider(), request, expectations);
  }

  private static void assertFailure(NanoBananaProvider provider, GenerationRequest request,
      Consumer<ProviderException> expectations) {
    assertThatThrownBy(() -> provider.generate(request).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.getMessage()).isNotBlank();
          expectations.accept(e);
        });
  }
}
