package dev.imagejobs.generation.provider.nanobanana;

import static dev.imagejobs.generation.provider.nanobanana.GeminiResponses.error;
import static dev.imagejobs.generation.provider.nanobanana.GeminiResponses.errorInfo;
import static dev.imagejobs.generation.provider.nanobanana.GeminiResponses.quotaFailure;
import static dev.imagejobs.generation.provider.nanobanana.GeminiResponses.retryInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import java.awt.Color;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeminiErrorClassifierTest {
  private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
  private final GeminiErrorClassifier classifier = new GeminiErrorClassifier(Clock.fixed(NOW, ZoneOffset.UTC));

  static Stream<Arguments> statuses() {
    return Stream.of(
        // status, body, class, code, retryable
        Arguments.of(400, error(400, "INVALID_ARGUMENT", "Unsupported aspect ratio"),
            ErrorClass.PERMANENT, "INVALID_ARGUMENT", false),
        Arguments.of(400, error(400, "FAILED_PRECONDITION", "User location is not supported for the API use."),
            ErrorClass.PERMANENT, "FAILED_PRECONDITION", false),
        Arguments.of(400, GeminiResponses.invalidApiKey(), ErrorClass.AUTH_ERROR, "API_KEY_INVALID", false),
        Arguments.of(401, error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
            ErrorClass.AUTH_ERROR, "UNAUTHENTICATED", false),
        Arguments.of(402, "", ErrorClass.PERMANENT, "402", false),
        Arguments.of(403, error(403, "PERMISSION_DENIED", "The caller does not have permission",
            errorInfo("API_KEY_SERVICE_BLOCKED")), ErrorClass.AUTH_ERROR, "API_KEY_SERVICE_BLOCKED", false),
        Arguments.of(404, error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"),
            ErrorClass.PERMANENT, "NOT_FOUND", false),
        Arguments.of(405, "", ErrorClass.PERMANENT, "405", false),
        Arguments.of(409, error(409, "ABORTED", "Conflict"), ErrorClass.PERMANENT, "ABORTED", false),
        Arguments.of(413, "<html>Request Entity Too Large</html>", ErrorClass.PERMANENT, "413", false),
        Arguments.of(408, "", ErrorClass.TEMPORARY, "408", true),
        Arguments.of(499, error(499, "CANCELLED", "The operation was cancelled."),
            ErrorClass.TEMPORARY, "CANCELLED", true),
        Arguments.of(500, error(500, "INTERNAL", "An internal error has occurred."),
            ErrorClass.TEMPORARY, "INTERNAL", true),
        Arguments.of(502, "<html>Bad Gateway</html>", ErrorClass.TEMPORARY, "502", true),
        Arguments.of(503, error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
            ErrorClass.TEMPORARY, "UNAVAILABLE", true),
        Arguments.of(504, error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
            ErrorClass.TEMPORARY, "DEADLINE_EXCEEDED", true),
        Arguments.of(429, GeminiResponses.perMinuteQuota("31s"), ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", true),
        Arguments.of(429, GeminiResponses.dailyQuota(), ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", false),
        Arguments.of(429, "", ErrorClass.RATE_LIMIT, "429", true),
        Arguments.of(501, error(501, "UNIMPLEMENTED", "Method not found."), ErrorClass.UNKNOWN, "UNIMPLEMENTED", false),
        Arguments.of(505, "", ErrorClass.UNKNOWN, "505", false),
        Arguments.of(302, "", ErrorClass.UNKNOWN, "302", false));
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("statuses")
  void givenAStatusAndBody_thenTheClassCodeAndRetryabilityFollow(int status, String body, ErrorClass errorClass,
      String code, boolean retryable) {
    ProviderException e = classifier.httpError(status, body, Optional.empty());

    assertThat(e.errorClass()).isEqualTo(errorClass);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.retryable()).isEqualTo(retryable);
    assertThat(e.getMessage()).startsWith("Gemini");
  }

  @Test
  void givenAnInvalidApiKey_thenTheMessageSaysSoPlainly() {
    ProviderException e = classifier.httpError(400, GeminiResponses.invalidApiKey(), Optional.empty());

    assertThat(e.getMessage()).isEqualTo("Gemini rejected the API key (API_KEY_INVALID); check IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY");
  }

  @Test
  void givenABadRequest_thenGooglesExplanationIsQuoted() {
    ProviderException e = classifier.httpError(400, error(400, "INVALID_ARGUMENT", "Unsupported aspect ratio 7:3"),
        Optional.empty());

    assertThat(e.getMessage())
        .isEqualTo("Gemini rejected the request (400 INVALID_ARGUMENT): Unsupported aspect ratio 7:3");
  }

  @Test
  void givenAVeryLongExplanation_thenItIsShortened() {
    ProviderException e = classifier.httpError(400, error(400, "INVALID_ARGUMENT", "x".repeat(5000)),
        Optional.empty());

    assertThat(e.getMessage()).hasSizeLessThan(400).endsWith("...");
  }

  @Test
  void givenAPerMinuteQuota_thenTheRetryInfoDelayIsKept() {
    ProviderException e = classifier.httpError(429, GeminiResponses.perMinuteQuota("31s"), Optional.empty());

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(31));
    assertThat(e.getMessage()).contains("rate limit", "retry after 31s");
  }

  @Test
  void givenADailyQuota_thenItIsFinalAndNamesTheQuota() {
    ProviderException e = classifier.httpError(429, GeminiResponses.dailyQuota(), Optional.empty());

    assertThat(e.retryable()).isFalse();
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e.getMessage()).contains("daily quota", "GenerateRequestsPerDayPerProjectPerModel-FreeTier");
  }

  @Test
  void givenADailyQuotaNamedOnlyInErrorInfoMetadata_thenItIsFinal() {
    String body = error(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
        errorInfo("RATE_LIMIT_EXCEEDED", "quota_limit", "GenerateContentRequestsPerDayPerProjectPerModel"),
        retryInfo("20s"));

    ProviderException e = classifier.httpError(429, body, Optional.empty());

    assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMIT);
    assertThat(e.code()).isEqualTo("RATE_LIMIT_EXCEEDED");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void givenAPerMinuteQuotaFailureWithoutRetryInfo_thenItIsRetryableWithoutADelay() {
    String body = error(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
        quotaFailure("GenerateRequestsPerMinutePerProjectPerModel"));

    ProviderException e = classifier.httpError(429, body, Optional.empty());

    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.5s:500", "1.000340s:1000", "120s:120000", "0s:0"})
  void givenAFractionalRetryDelay_thenItIsReadToTheMillisecond(String delayAndMillis) {
    String[] parts = delayAndMillis.split(":");

    ProviderException e = classifier.httpError(429, GeminiResponses.perMinuteQuota(parts[0]), Optional.empty());

    assertThat(e.retryAfter()).contains(Duration.ofMillis(Long.parseLong(parts[1])));
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "-3s", "31"})
  void givenAMalformedRetryDelay_thenNoDelayIsGiven(String delay) {
    ProviderException e = classifier.httpError(429, GeminiResponses.perMinuteQuota(delay), Optional.empty());

    assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMIT);
    assertThat(e.retryAfter()).isEmpty();
  }

  @Test
  void givenARetryAfterHeaderInSeconds_thenItIsTheDelay() {
    ProviderException e = classifier.httpError(429, "", Optional.of("120"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
  }

  @Test
  void givenARetryAfterHeaderAsAnHttpDate_thenTheDelayRunsUntilThatDate() {
    ProviderException e = classifier.httpError(503, "", Optional.of("Mon, 02 Mar 2026 10:01:30 GMT"));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(90));
  }

  @Test
  void givenARetryAfterDateInThePast_thenTheDelayIsZero() {
    ProviderException e = classifier.httpError(503, "", Optional.of("Mon, 02 Mar 2026 09:00:00 GMT"));

    assertThat(e.retryAfter()).contains(Duration.ZERO);
  }

  @Test
  void givenAnUnreadableRetryAfterHeader_thenItIsIgnored() {
    ProviderException e = classifier.httpError(503, "", Optional.of("in a while"));

    assertThat(e.retryAfter()).isEmpty();
  }

  @Test
  void givenBothRetryInfoAndAHeader_thenRetryInfoWins() {
    ProviderException e = classifier.httpError(429, GeminiResponses.perMinuteQuota("31s"), Optional.of("5"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(31));
  }

  @Test
  void givenAPermanentErrorWithRetryAfter_thenItStaysFinal() {
    ProviderException e = classifier.httpError(400, error(400, "INVALID_ARGUMENT", "bad"), Optional.of("10"));

    assertThat(e.retryable()).isFalse();
    assertThat(e.retryAfter()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[1,2]", "{\"error\":\"flat string\"}", "{\"error\":{\"details\":\"x\"}}"})
  void givenAnUnusualErrorBody_thenTheStatusAloneDecides(String body) {
    ProviderException e = classifier.httpError(503, body, Optional.empty());

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
    assertThat(e.code()).isEqualTo("503");
  }

  @Test
  void givenAnImage_thenTheAnswerIsUsable() {
    assertThat(classifier.unusableAnswer(answer(GeminiResponses.imageAnswer(png(), "Here it is")))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"SAFETY", "PROHIBITED_CONTENT", "RECITATION", "BLOCKLIST", "SPII", "IMAGE_SAFETY",
      "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"})
  void givenABlockingFinishReason_thenTheContentIsBlockedForGood(String finishReason) {
    ProviderException e = unusable(GeminiResponses.answerWithoutImage(finishReason, null));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.CONTENT_BLOCKED);
    assertThat(e.code()).isEqualTo(finishReason);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).startsWith("Gemini").endsWith("(" + finishReason + ")");
  }

  @Test
  void givenImageSafety_thenTheMessageSaysTheImageWasBlocked() {
    assertThat(unusable(GeminiResponses.answerWithoutImage("IMAGE_SAFETY", null)).getMessage())
        .isEqualTo("Gemini blocked the generated image for safety reasons (IMAGE_SAFETY)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY"})
  void givenABlockedPrompt_thenTheContentIsBlockedForGood(String blockReason) {
    ProviderException e = unusable(GeminiResponses.blockedPrompt(blockReason));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.CONTENT_BLOCKED);
    assertThat(e.code()).isEqualTo(blockReason);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("Gemini refused the prompt (" + blockReason + ")");
  }

  @Test
  void givenNoImageAsFinishReason_thenItFailsPermanently() {
    ProviderException e = unusable(GeminiResponses.answerWithoutImage("NO_IMAGE", null));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(e.code()).isEqualTo("NO_IMAGE");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void givenATextOnlyAnswer_thenItFailsPermanentlyQuotingTheText() {
    ProviderException e = unusable(GeminiResponses.answerWithoutImage("STOP", "I can only describe a cat."));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(e.code()).isEqualTo("NO_IMAGE");
    assertThat(e.getMessage()).isEqualTo("Gemini answered with text but no image: I can only describe a cat.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAX_TOKENS", "OTHER", "IMAGE_OTHER", "LANGUAGE"})
  void givenAnotherFinishReasonWithoutImage_thenItFailsPermanentlyWithThatReason(String finishReason) {
    ProviderException e = unusable(GeminiResponses.answerWithoutImage(finishReason, null));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(e.code()).isEqualTo(finishReason);
  }

  @Test
  void givenAnEmptyAnswer_thenItFailsPermanently() {
    ProviderException e = unusable("{}");

    assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
    assertThat(e.code()).isEqualTo("NO_IMAGE");
  }

  @Test
  void givenOnlyAThoughtImage_thenThereIsNoImage() {
    String body = """
        {"candidates":[{"content":{"parts":[
          {"text":"Sketching","thought":true},
          {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="},"thought":true}]},
         "finishReason":"STOP"}]}""";

    assertThat(unusable(body).code()).isEqualTo("NO_IMAGE");
  }

  @Test
  void givenAThoughtImageThenTheFinalOne_thenTheFinalOneIsUsed() {
    String body = """
        {"candidates":[{"content":{"parts":[
          {"inlineData":{"mimeType":"image/png","data":"draft"},"thought":true},
          {"text":"Done."},
          {"inlineData":{"mimeType":"image/jpeg","data":"final"}}]},
         "finishReason":"STOP"}]}""";

    GeminiAnswer answer = answer(body);

    assertThat(classifier.unusableAnswer(answer)).isEmpty();
    assertThat(answer.image()).contains(new GeminiAnswer.InlineImage("image/jpeg", "final"));
    assertThat(answer.text()).isEqualTo("Done.");
  }

  @Test
  void givenABlockedPromptThatStillCarriesAnImage_thenTheBlockWins() {
    String body = """
        {"promptFeedback":{"blockReason":"SAFETY"},
         "candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"x"}}]}}]}""";

    assertThat(unusable(body).errorClass()).isEqualTo(ErrorClass.CONTENT_BLOCKED);
  }

  @Test
  void givenTheResponseTimeoutPassed_thenItIsATimeout() {
    ProviderException e = GeminiErrorClassifier.transportFailure(
        new CompletionException(new HttpTimeoutException("request timed out")), Duration.ofSeconds(90));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
    assertThat(e.code()).isEqualTo("PROVIDER_TIMEOUT");
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).isEqualTo("Gemini did not answer within 90s");
  }

  @Test
  void givenTheConnectTimeoutPassed_thenItIsTemporary() {
    ProviderException e = GeminiErrorClassifier.transportFailure(
        new HttpConnectTimeoutException("connect timed out"), Duration.ofSeconds(90));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
    assertThat(e.code()).isEqualTo("CONNECT_TIMEOUT");
  }

  @Test
  void givenANetworkError_thenItIsTemporary() {
    ProviderException e = GeminiErrorClassifier.transportFailure(
        new ExecutionException(new ConnectException("Connection refused")), Duration.ofSeconds(90));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
    assertThat(e.code()).isEqualTo("NETWORK_ERROR");
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).isEqualTo("The connection to Gemini failed: Connection refused");
  }

  @Test
  void givenAnIoErrorWithoutMessage_thenTheMessageNamesItsType() {
    ProviderException e = GeminiErrorClassifier.transportFailure(new IOException(), Duration.ofSeconds(90));

    assertThat(e.getMessage()).isEqualTo("The connection to Gemini failed: IOException");
  }

  @Test
  void givenAnAlreadyClassifiedFailure_thenItIsKept() {
    ProviderException known = GeminiErrorClassifier.missingApiKey();

    assertThat(GeminiErrorClassifier.transportFailure(new CompletionException(known), Duration.ofSeconds(1)))
        .isSameAs(known);
  }

  @Test
  void givenAnythingElse_thenItIsUnknownAndFinal() {
    ProviderException e = GeminiErrorClassifier.transportFailure(new IllegalStateException("boom"),
        Duration.ofSeconds(90));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.UNKNOWN);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void givenAMalformedAnswer_thenItIsUnknownAndFinal() {
    ProviderException e = GeminiErrorClassifier.malformedAnswer(new IllegalArgumentException("not an object"));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.UNKNOWN);
    assertThat(e.code()).isEqualTo("MALFORMED_RESPONSE");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void givenNoApiKey_thenItIsAnAuthErrorNamingTheVariable() {
    ProviderException e = GeminiErrorClassifier.missingApiKey();

    assertThat(e.errorClass()).isEqualTo(ErrorClass.AUTH_ERROR);
    assertThat(e.code()).isEqualTo("API_KEY_MISSING");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).startsWith("IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY is not set");
  }

  private ProviderException unusable(String body) {
    return classifier.unusableAnswer(answer(body)).orElseThrow();
  }

  private static GeminiAnswer answer(String body) {
    return GeminiAnswer.from(GeminiResponses.JSON.readTree(body));
  }

  private static byte[] png() {
    return GeminiResponses.png(4, 4, Color.RED);
  }
}
