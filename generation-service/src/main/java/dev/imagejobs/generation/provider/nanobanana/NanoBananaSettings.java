package dev.imagejobs.generation.provider.nanobanana;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Connection and pricing of the {@code nano-banana} provider.
 *
 * @param apiKey the Gemini API key; empty leaves the provider registered but failing AUTH_ERROR
 * @param baseUrl scheme, host and port of the Gemini API
 * @param model the model used when a job names none
 * @param connectTimeout how long to wait for a connection
 * @param responseTimeout how long to wait for the whole answer once the request is sent
 * @param maxResponseSize the largest answer read (the image comes inside it as base64); a larger
 *     one fails the attempt {@code PERMANENT RESPONSE_TOO_LARGE} without being read whole
 * @param prices USD per million tokens by model id; entries replace the built-in {@link PriceTable}
 *     defaults for their model (in YAML, write ids with dots as {@code "[gemini-2.5-flash-image]"})
 */
@ConfigurationProperties("imagejobs.providers.nano-banana")
record NanoBananaSettings(String apiKey, URI baseUrl, String model, Duration connectTimeout,
    Duration responseTimeout, DataSize maxResponseSize, Map<String, ModelPrice> prices) {
  static final URI DEFAULT_BASE_URL = URI.create("https://generativelanguage.googleapis.com");
  static final String DEFAULT_MODEL = "gemini-2.5-flash-image";
  static final DataSize DEFAULT_MAX_RESPONSE_SIZE = DataSize.ofMegabytes(64);

  NanoBananaSettings {
    apiKey = apiKey == null ? "" : apiKey.strip();
    baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
    model = model == null || model.isBlank() ? DEFAULT_MODEL : model.strip();
    connectTimeout = positive(connectTimeout, Duration.ofSeconds(10), "connect-timeout");
    responseTimeout = positive(responseTimeout, Duration.ofSeconds(90), "response-timeout");
    maxResponseSize = maxResponseSize == null ? DEFAULT_MAX_RESPONSE_SIZE : maxResponseSize;
    if (maxResponseSize.toBytes() < 1) {
      throw new IllegalArgumentException("imagejobs.providers.nano-banana.max-response-size must be positive");
    }
    prices = prices == null ? Map.of() : Map.copyOf(prices);
  }

  /** Defaults everywhere except the key and the API's address, as tests against a fake API need. */
  static NanoBananaSettings of(String apiKey, URI baseUrl) {
    return new NanoBananaSettings(apiKey, baseUrl, null, null, null, null, null);
  }

  boolean hasApiKey() {
    return !apiKey.isEmpty();
  }

  /** The settings without the key, which must never reach a log line or an error message. */
  @Override
  public String toString() {
    return "NanoBananaSettings[apiKey=" + (hasApiKey() ? "(set)" : "(not set)") + ", baseUrl=" + baseUrl
        + ", model=" + model + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout
        + ", maxResponseSize=" + maxResponseSize + ", prices=" + prices + "]";
  }

  private static Duration positive(Duration value, Duration fallback, String name) {
    if (value == null) {
      return fallback;
    }
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("imagejobs.providers.nano-banana." + name + " must be positive");
    }
    return value;
  }

  /**
   * What one model costs, in US dollars per million tokens.
   *
   * @param input prompt tokens
   * @param textOutput text answer tokens, thinking included
   * @param imageOutput image tokens
   */
  record ModelPrice(BigDecimal input, BigDecimal textOutput, BigDecimal imageOutput) {
    ModelPrice {
      input = nonNegative(input, "input");
      textOutput = nonNegative(textOutput, "text-output");
      imageOutput = nonNegative(imageOutput, "image-output");
    }

    private static BigDecimal nonNegative(BigDecimal price, String name) {
      if (price == null) {
        // A missing price would silently under-report cost: name all three.
        throw new IllegalArgumentException("Price '" + name + "' is missing");
      }
      if (price.signum() < 0) {
        throw new IllegalArgumentException("Price '" + name + "' must not be negative, got " + price);
      }
      return price;
    }
  }
}
