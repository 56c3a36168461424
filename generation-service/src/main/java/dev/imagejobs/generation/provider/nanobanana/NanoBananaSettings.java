package dev.imagejobs.generation.provider.nanobanana;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
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
 * @param vertex where set, the models are called on Vertex AI with Google credentials instead of the
 *     Gemini API with the key
 * @param requestsPerMinute client-side cap of calls per minute on this instance (jobs wait their
 *     turn, not failing); 0 for none
 */
@ConfigurationProperties("imagejobs.providers.nano-banana")
record NanoBananaSettings(
    String apiKey,
    @DefaultValue("https://generativelanguage.googleapis.com") URI baseUrl,
    @DefaultValue(DEFAULT_MODEL) String model,
    @DefaultValue("10s") Duration connectTimeout,
    @DefaultValue("90s") Duration responseTimeout,
    @DefaultValue("64MB") DataSize maxResponseSize,
    Map<String, ModelPrice> prices,
    Vertex vertex,
    @DefaultValue("60") int requestsPerMinute) {
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
    vertex = vertex == null ? Vertex.NONE : vertex;
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException("imagejobs.providers.nano-banana.requests-per-minute must not be negative");
    }
  }

  /** Defaults everywhere except the key and the API's address, as tests against a fake API need. */
  static NanoBananaSettings of(String apiKey, URI baseUrl) {
    return new NanoBananaSettings(apiKey, baseUrl, null, null, null, null, null, null, 0);
  }

  boolean hasApiKey() {
    return !apiKey.isEmpty();
  }

  /** The settings without the key, which must never reach a log line or an error message. */
  @Override
  public String toString() {
    return "NanoBananaSettings[apiKey=" + (hasApiKey() ? "(set)" : "(not set)") + ", baseUrl=" + baseUrl
        + ", model=" + model + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout
        + ", maxResponseSize=" + maxResponseSize + ", prices=" + prices + ", vertex=" + vertex + "]";
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

  /**
   * Vertex AI: the same models in a Google Cloud project, authorized by the credentials that
   * Application Default Credentials find (workload identity, the service account key file named by
   * {@code GOOGLE_APPLICATION_CREDENTIALS}, {@code gcloud auth application-default login}) rather
   * than by an API key.
   *
   * @param project the Google Cloud project; empty: the Gemini API with the key
   * @param location the model's region, or {@code global} (the default)
   * @param baseUrl the Vertex AI endpoint; by default {@code https://aiplatform.googleapis.com} for
   *     {@code global} and {@code https://LOCATION-aiplatform.googleapis.com} otherwise
   */
  record Vertex(String project, String location, URI baseUrl) {
    static final String GLOBAL = "global";
    /** A project id or a region: lowercase letters, digits and dashes. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    /** No Vertex AI: the Gemini API. Declared after what its constructor uses. */
    static final Vertex NONE = new Vertex(null, null, null);

    Vertex {
      project = project == null ? "" : project.strip();
      location = location == null || location.isBlank() ? GLOBAL : location.strip();
      if (!project.isEmpty() && !NAME.matcher(project).matches()) {
        throw new IllegalArgumentException("imagejobs.providers.nano-banana.vertex.project '" + project
            + "' is not a Google Cloud project id");
      }
      if (!NAME.matcher(location).matches()) {
        throw new IllegalArgumentException("imagejobs.providers.nano-banana.vertex.location '" + location
            + "' is not a Google Cloud region");
      }
      if (baseUrl == null) {
        baseUrl = URI.create(location.equals(GLOBAL)
            ? "https://aiplatform.googleapis.com" : "https://" + location + "-aiplatform.googleapis.com");
      }
    }

    boolean enabled() {
      return !project.isEmpty();
    }

    /** The {@code generateContent} endpoint of {@code model}. */
    URI endpoint(String model) {
      String base = baseUrl.toString();
      String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
      return URI.create(root + "/v1/projects/" + project + "/locations/" + location
          + "/publishers/google/models/" + model + ":generateContent");
    }
  }
}
