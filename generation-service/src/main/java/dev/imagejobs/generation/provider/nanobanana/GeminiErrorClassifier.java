package dev.imagejobs.generation.provider.nanobanana;

import com.google.auth.Retryable;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns everything that can go wrong in a Gemini call into a {@link ProviderException}: HTTP statuses
 * with their {@code google.rpc} error bodies, answers without an image, blocked prompts and images,
 * and network failures. Pure apart from reading the clock for {@code Retry-After} dates; the
 * decisions are listed in docs/generation.md (Error classes) and pinned by GeminiErrorClassifierTest.
 */
final class GeminiErrorClassifier {
  static final String ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
  static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
  static final String QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure";

  /** Finish reasons that mean a safety or policy filter stopped the answer; never retried. */
  private static final Map<String, String> BLOCKING_FINISH_REASONS = Map.of(
      "SAFETY", "Gemini stopped the answer for safety reasons",
      "PROHIBITED_CONTENT", "Gemini refused the request as prohibited content",
      "RECITATION", "Gemini stopped the answer because it resembled existing material",
      "BLOCKLIST", "Gemini stopped the answer because it contained blocked terms",
      "SPII", "Gemini stopped the answer because it may contain sensitive personal information",
      "IMAGE_SAFETY", "Gemini blocked the generated image for safety reasons",
      "IMAGE_PROHIBITED_CONTENT", "Gemini blocked the generated image as prohibited content",
      "IMAGE_RECITATION", "Gemini blocked the generated image because it resembled existing material");

  private static final int MAX_QUOTED = 300;

  private final Clock clock;

  GeminiErrorClassifier(Clock clock) {
    this.clock = clock;
  }

  /** The failure for a call made without a key: no request is sent, so nothing is retried. */
  static ProviderException missingApiKey() {
    return new ProviderException(ErrorClass.AUTH_ERROR, "API_KEY_MISSING",
        "IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY is not set: the nano-banana provider needs a Gemini API key");
  }

  /**
   * Google credentials that gave no token for Vertex AI: TEMPORARY when the token service may answer
   * later (unreachable, 5xx), AUTH_ERROR when it refused them (a revoked or malformed key).
   */
  static ProviderException credentialsFailure(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    boolean retryable = cause instanceof Retryable known ? known.isRetryable() : cause instanceof IOException;
    String reason = "Google credentials gave no access token for Vertex AI" + quoted(cause.getMessage());
    return retryable
        ? new ProviderException(ErrorClass.TEMPORARY, "CREDENTIALS_UNAVAILABLE", reason, cause)
        : new ProviderException(ErrorClass.AUTH_ERROR, "CREDENTIALS_REJECTED", reason, cause);
  }

  /**
   * Classifies an answer whose status is not 2xx.
   *
   * @param body the response body, a {@code google.rpc} error when Gemini wrote it; anything else
   *     (an HTML page from a proxy, nothing) is tolerated
   * @param retryAfterHeader the {@code Retry-After} header: seconds or an HTTP date
   */
  ProviderException httpError(int status, String body, Optional<String> retryAfterHeader) {
    RpcError error = RpcError.parse(body);
    String code = error.reason != null ? error.reason : error.status != null ? error.status : String.valueOf(status);
    String statusText = error.status == null ? String.valueOf(status) : status + " " + error.status;
    Duration retryAfter = error.retryDelay().or(() -> retryAfterHeader.flatMap(this::retryAfter)).orElse(null);

    if ("API_KEY_INVALID".equals(error.reason)) {
      return failure(ErrorClass.AUTH_ERROR, code,
          "Gemini rejected the API key (API_KEY_INVALID); check IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY");
    }
    return switch (status) {
      case 401, 403 -> failure(ErrorClass.AUTH_ERROR, code,
          "Gemini refused access with this API key (" + statusText + ")" + quoted(error.message));
      case 408, 499, 500, 502, 503, 504 -> new ProviderException(ErrorClass.TEMPORARY, code,
          temporaryMessage(status) + " (" + statusText + ")" + quoted(error.message), null, true, retryAfter);
      case 429 -> rateLimited(error, code, statusText, retryAfter);
      case 402 -> failure(ErrorClass.PERMANENT, code,
          "Gemini requires billing for this request (" + statusText + ")" + quoted(error.message));
      case 404 -> failure(ErrorClass.PERMANENT, code,
          "Gemini does not know this model or endpoint (" + statusText + ")" + quoted(error.message));
      default -> status >= 400 && status < 500
          // Any other client error repeats identically when sent again.
          ? failure(ErrorClass.PERMANENT, code,
              "Gemini rejected the request (" + statusText + ")" + quoted(error.message))
          : failure(ErrorClass.UNKNOWN, code,
              "Gemini answered with an unexpected status (" + statusText + ")" + quoted(error.message));
    };
  }

  /**
   * Why a 2xx answer cannot be used, or empty when it carries an image. A refused prompt or a
   * filtered image is CONTENT_BLOCKED; any other answer without an image is PERMANENT, since the
   * same prompt tends to get the same answer.
   */
  Optional<ProviderException> unusableAnswer(GeminiAnswer answer) {
    if (answer.blockReason() != null) {
      return Optional.of(blocked(answer.blockReason(),
          "Gemini refused the prompt (" + answer.blockReason() + ")" + quoted(answer.blockReasonMessage())));
    }
    if (answer.image().isPresent()) {
      return Optional.empty();
    }
    String finishReason = answer.finishReason();
    if (finishReason != null && BLOCKING_FINISH_REASONS.containsKey(finishReason)) {
      return Optional.of(blocked(finishReason,
          BLOCKING_FINISH_REASONS.get(finishReason) + " (" + finishReason + ")" + quoted(answer.finishMessage())));
    }
    if ("NO_IMAGE".equals(finishReason)) {
      return Optional.of(failure(ErrorClass.PERMANENT, "NO_IMAGE",
          "Gemini produced no image for this prompt (NO_IMAGE)" + quoted(answer.finishMessage())));
    }
    if (!answer.text().isEmpty()) {
      return Optional.of(failure(ErrorClass.PERMANENT, "NO_IMAGE",
          "Gemini answered with text but no image" + quoted(answer.text())));
    }
    if (finishReason != null && !"STOP".equals(finishReason)) {
      return Optional.of(failure(ErrorClass.PERMANENT, finishReason,
          "Gemini returned no image (finish reason " + finishReason + ")" + quoted(answer.finishMessage())));
    }
    return Optional.of(failure(ErrorClass.PERMANENT, "NO_IMAGE", "Gemini returned an empty answer without an image"));
  }

  /**
   * A 2xx answer that is not the JSON Gemini documents. UNKNOWN, so not retried: the call may have
   * been billed, and an API that changed shape will not change back on the next attempt.
   */
  /**
   * An answer past the configured size, abandoned unread: PERMANENT, since asking again would most
   * likely bring the same oversized answer (and be charged again).
   */
  static ProviderException responseTooLarge(long maxBytes) {
    return new ProviderException(ErrorClass.PERMANENT, "RESPONSE_TOO_LARGE",
        "Gemini's answer is larger than " + maxBytes + " bytes (imagejobs.providers.nano-banana.max-response-size)");
  }

  static ProviderException malformedAnswer(Exception cause) {
    return new ProviderException(ErrorClass.UNKNOWN, "MALFORMED_RESPONSE",
        "Gemini's answer could not be read" + quoted(cause.getMessage()), cause);
  }

  /**
   * Classifies an exception from the HTTP client: the response timeout is TIMEOUT, a connect timeout
   * and every other I/O error (reset, refused, TLS) TEMPORARY, anything else UNKNOWN.
   */
  static ProviderException transportFailure(Throwable failure, Duration responseTimeout) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ProviderException known) {
      return known;
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return new ProviderException(ErrorClass.TEMPORARY, "CONNECT_TIMEOUT", "Could not connect to Gemini in time",
          cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return new ProviderException(ErrorClass.TIMEOUT, "PROVIDER_TIMEOUT",
          "Gemini did not answer within " + responseTimeout.toSeconds() + "s", cause);
    }
    if (cause instanceof IOException) {
      return new ProviderException(ErrorClass.TEMPORARY, "NETWORK_ERROR",
          "The connection to Gemini failed" + quoted(describe(cause)), cause);
    }
    return new ProviderException(ErrorClass.UNKNOWN, "UNEXPECTED_ERROR",
        "Calling Gemini failed unexpectedly" + quoted(describe(cause)), cause);
  }

  /** A {@code Retry-After} value: delta seconds or an HTTP date; empty when it is neither. */
  Optional<Duration> retryAfter(String header) {
    String value = header.strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(clock.instant(), at.toInstant());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static ProviderException rateLimited(RpcError error, String code, String statusText, Duration retryAfter) {
    Optional<String> dailyQuota = error.dailyQuota();
    if (dailyQuota.isPresent()) {
      // Waiting seconds or minutes cannot help once the day's quota is gone.
      return new ProviderException(ErrorClass.RATE_LIMIT, code,
          "Gemini's daily quota is used up (" + dailyQuota.get() + "); retrying before it resets will not help",
          null, false, null);
    }
    String wait = retryAfter == null ? "" : ", retry after " + retryAfter.toSeconds() + "s";
    return new ProviderException(ErrorClass.RATE_LIMIT, code,
        "Gemini's rate limit was reached (" + statusText + ")" + wait + quoted(error.message), null, true, retryAfter);
  }

  private static String temporaryMessage(int status) {
    return switch (status) {
      case 503 -> "Gemini is temporarily unavailable";
      case 504 -> "Gemini did not finish in time on its side";
      case 408, 499 -> "Gemini dropped the request";
      default -> "Gemini failed with an internal error";
    };
  }

  private static ProviderException blocked(String code, String message) {
    return new ProviderException(ErrorClass.CONTENT_BLOCKED, code, message, null, false, null);
  }

  private static ProviderException failure(ErrorClass errorClass, String code, String message) {
    return new ProviderException(errorClass, code, message);
  }

  private static String quoted(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String flat = text.strip().replaceAll("\\s+", " ");
    return ": " + (flat.length() <= MAX_QUOTED ? flat : flat.substring(0, MAX_QUOTED - 3) + "...");
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** The fields of a {@code google.rpc.Status} error body that decide the class and the delay. */
  private record RpcError(String status, String message, String reason, JsonNode details) {
    static final RpcError NONE = new RpcError(null, null, null, null);

    static RpcError parse(String body) {
      if (body == null || body.isBlank()) {
        return NONE;
      }
      JsonNode error;
      try {
        error = JsonMapper.shared().readTree(body).path("error");
      } catch (JacksonException notJson) {
        return NONE;
      }
      if (!error.isObject()) {
        return NONE;
      }
      JsonNode details = error.path("details");
      String reason = null;
      for (JsonNode detail : details) {
        if (ERROR_INFO.equals(type(detail)) && detail.path("reason").isString()) {
          reason = detail.path("reason").stringValue();
        }
      }
      return new RpcError(text(error.path("status")), text(error.path("message")), reason, details);
    }

    /** {@code RetryInfo.retryDelay}, a protobuf duration such as {@code "31s"} or {@code "0.5s"}. */
    Optional<Duration> retryDelay() {
      if (details == null) {
        return Optional.empty();
      }
      for (JsonNode detail : details) {
        String delay = text(detail.path("retryDelay"));
        if (RETRY_INFO.equals(type(detail)) && delay != null && delay.endsWith("s")) {
          try {
            BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
            if (seconds.signum() >= 0) {
              return Optional.of(Duration.ofMillis(seconds.movePointRight(3).longValue()));
            }
          } catch (NumberFormatException | ArithmeticException malformed) {
            return Optional.empty();
          }
        }
      }
      return Optional.empty();
    }

    /** The id of an exhausted per-day quota, from {@code QuotaFailure} or {@code ErrorInfo} metadata. */
    Optional<String> dailyQuota() {
      if (details == null) {
        return Optional.empty();
      }
      for (JsonNode detail : details) {
        if (QUOTA_FAILURE.equals(type(detail))) {
          for (JsonNode violation : detail.path("violations")) {
            String quotaId = text(violation.path("quotaId"));
            if (isDaily(quotaId)) {
              return Optional.of(quotaId);
            }
          }
        }
        if (ERROR_INFO.equals(type(detail))) {
          for (JsonNode value : detail.path("metadata")) {
            if (isDaily(text(value))) {
              return Optional.of(text(value));
            }
          }
        }
      }
      return Optional.empty();
    }

    private static boolean isDaily(String quota) {
      return quota != null && quota.toLowerCase(Locale.ROOT).contains("perday");
    }

    private static String type(JsonNode detail) {
      return text(detail.path("@type"));
    }

    private static String text(JsonNode node) {
      return node.isString() ? node.stringValue() : null;
    }
  }
}
