package dev.imagejobs.generation.provider.nanobanana;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.auth.Credentials;
import com.google.auth.RequestMetadataCallback;
import dev.imagejobs.generation.provider.CappedBody;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.ReferenceInput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates images with Gemini's image models ("Nano Banana") through the REST
 * {@code generateContent} call, on the Gemini API with an API key or on Vertex AI with Google
 * credentials (the same request and answer). The call is asynchronous end to end: the HTTP client's
 * selector thread waits for Gemini, so a job in flight holds no thread for the tens of seconds a
 * call takes.
 */
final class NanoBananaProvider implements ImageProvider {
  static final String NAME = "nano-banana";
  private static final Logger log = LoggerFactory.getLogger(NanoBananaProvider.class);
  /** Model ids go into the URL path: letters, digits, dots, dashes and underscores only. */
  private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final String MODEL_PREFIX = "models/";
  private static final String API_KEY_HEADER = "x-goog-api-key";
  /** Runs a token refresh (at most about once an hour) on a thread of its own, never the caller's. */
  private static final Executor CREDENTIALS_REFRESH = command -> {
    Thread refresh = new Thread(command, "vertex-credentials-refresh");
    refresh.setDaemon(true);
    refresh.start();
  };
  /** Models that take no {@code imageSize}. */
  private static final String FIXED_SIZE_MODELS = "gemini-2.5-";

  private final NanoBananaSettings settings;
  private final HttpClient http;
  private final GeminiErrorClassifier classifier;
  private final PriceTable prices;
  private final Credentials credentials;

  /**
   * @param credentials Google credentials for Vertex AI ({@link NanoBananaSettings.Vertex}), or
   *     {@code null} to call the Gemini API with the key
   */
  NanoBananaProvider(NanoBananaSettings settings, HttpClient http, Clock clock, Credentials credentials) {
    this.settings = settings;
    this.http = http;
    this.credentials = credentials;
    this.classifier = new GeminiErrorClassifier(clock);
    this.prices = new PriceTable(settings.prices());
  }

  /** The client the provider needs: the settings' connect timeout, no redirects (Gemini sends none). */
  static HttpClient httpClient(NanoBananaSettings settings) {
    return HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int requestsPerMinute() {
    return settings.requestsPerMinute();
  }

  /**
   * Sends the prompt and returns at once. The future fails with a {@link ProviderException} from
   * {@link GeminiErrorClassifier}; cancelling it aborts the HTTP exchange.
   */
  @Override
  public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
    if (credentials == null && !settings.hasApiKey()) {
      // Registered without a key so jobs naming the provider fail clearly instead of "unknown provider".
      return CompletableFuture.failedFuture(GeminiErrorClassifier.missingApiKey());
    }
    String model;
    URI endpoint;
    try {
      model = modelOf(request);
      endpoint = credentials == null ? endpoint(model) : settings.vertex().endpoint(model);
    } catch (RuntimeException invalid) {
      return CompletableFuture.failedFuture(
          GeminiErrorClassifier.transportFailure(invalid, settings.responseTimeout()));
    }
    CompletableFuture<ImageArtifact> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<?>> exchange = new AtomicReference<>();
    authorization(endpoint).whenComplete((headers, unauthorized) -> {
      if (unauthorized != null) {
        result.completeExceptionally(unauthorized);
      } else if (!result.isDone()) {
        exchange.set(call(request, model, endpoint, headers, result));
      }
    });
    result.whenComplete((artifact, failure) -> {
      CompletableFuture<?> started = exchange.get();
      if (result.isCancelled() && started != null) {
        started.cancel(true);
      }
    });
    return result;
  }

  /**
   * The headers that authorize a call: the API key, or on Vertex AI a bearer token from the Google
   * credentials, refreshed off the caller's thread when it has expired.
   */
  private CompletableFuture<Map<String, List<String>>> authorization(URI endpoint) {
    if (credentials == null) {
      return CompletableFuture.completedFuture(Map.of(API_KEY_HEADER, List.of(settings.apiKey())));
    }
    CompletableFuture<Map<String, List<String>>> headers = new CompletableFuture<>();
    credentials.getRequestMetadata(endpoint, CREDENTIALS_REFRESH, new RequestMetadataCallback() {
      @Override
      public void onSuccess(Map<String, List<String>> metadata) {
        headers.complete(metadata);
      }

      @Override
      public void onFailure(Throwable failure) {
        headers.completeExceptionally(GeminiErrorClassifier.credentialsFailure(failure));
      }
    });
    return headers;
  }

  /** Sends the call and completes {@code result} with its outcome; returns the HTTP exchange. */
  private CompletableFuture<?> call(GenerationRequest request, String model, URI endpoint,
      Map<String, List<String>> authorization, CompletableFuture<ImageArtifact> result) {
    HttpRequest httpRequest;
    try {
      HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
          .timeout(settings.responseTimeout())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(request, model)));
      authorization.forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
      httpRequest = builder.build();
    } catch (RuntimeException invalid) {
      // Failures belong in the future, never thrown at the caller (e.g. a key with characters no header allows).
      result.completeExceptionally(GeminiErrorClassifier.transportFailure(invalid, settings.responseTimeout()));
      return null;
    }
    // Gemini has no request-id header; this id ties the log lines of one call together.
    String requestId = UUID.randomUUID().toString();
    log.debug("Calling Gemini for job {} attempt {} (model {}, request id {})",
        request.jobId(), request.attempt(), model, requestId);
    long started = System.nanoTime();
    long maxBytes = settings.maxResponseSize().toBytes();
    CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(httpRequest, info -> HttpResponse.BodySubscribers
        .mapping(new CappedBody(maxBytes, () -> GeminiErrorClassifier.responseTooLarge(maxBytes)),
            bytes -> new String(bytes, UTF_8)));
    exchange.whenComplete((response, failure) -> {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      try {
        if (failure != null) {
          throw GeminiErrorClassifier.transportFailure(failure, settings.responseTimeout());
        }
        ImageArtifact artifact = artifactFrom(request, model, requestId, response, millis);
        result.complete(artifact);
      } catch (ProviderException failed) {
        log.info("Gemini call for job {} attempt {} failed after {} ms: {} {} (model {}, request id {}): {}",
            request.jobId(), request.attempt(), millis, failed.errorClass(), failed.code(), model, requestId,
            failed.getMessage());
        result.completeExceptionally(failed);
      } catch (RuntimeException unexpected) {
        result.completeExceptionally(GeminiErrorClassifier.transportFailure(unexpected, settings.responseTimeout()));
      }
    });
    return exchange;
  }

  private ImageArtifact artifactFrom(GenerationRequest request, String model, String requestId,
      HttpResponse<String> response, long millis) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw classifier.httpError(status, response.body(), response.headers().firstValue("Retry-After"));
    }
    GeminiAnswer answer;
    try {
      answer = GeminiAnswer.from(JsonMapper.shared().readTree(response.body()));
    } catch (JacksonException | IllegalArgumentException malformed) {
      throw GeminiErrorClassifier.malformedAnswer(malformed);
    }
    ProviderUsage usage = usage(model, answer.tokens());
    log.info("Gemini answered job {} attempt {} in {} ms (model {}, request id {}, response id {}, tokens in {} "
            + "text {} thinking {} image {}, cost {} micro-USD)", request.jobId(), request.attempt(), millis, model,
        requestId, answer.responseId(), usage.inputTokens(), usage.outputTokens(), usage.thinkingTokens(),
        usage.imageTokens(), usage.costMicros());
    classifier.unusableAnswer(answer).ifPresent(unusable -> {
      throw unusable;
    });
    GeminiAnswer.InlineImage image = answer.image().orElseThrow();
    return new ImageArtifact.Base64(image.base64(), image.mimeType(), answer.text().isEmpty() ? null : answer.text(),
        usage);
  }

  private ProviderUsage usage(String model, TokenCounts tokens) {
    if (prices.priceOf(model).isEmpty()) {
      log.warn("No price for Gemini model {}: its cost is recorded as 0; add it under "
          + "imagejobs.providers.nano-banana.prices", model);
    }
    return prices.usage(model, tokens);
  }

  private String modelOf(GenerationRequest request) {
    String model = request.model() == null || request.model().isBlank() ? settings.model() : request.model().strip();
    if (model.startsWith(MODEL_PREFIX)) {
      model = model.substring(MODEL_PREFIX.length());
    }
    if (!MODEL_ID.matcher(model).matches()) {
      throw new ProviderException(ErrorClass.PERMANENT, "INVALID_MODEL", "'" + model + "' is not a Gemini model id");
    }
    return model;
  }

  private URI endpoint(String model) {
    String base = settings.baseUrl().toString();
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return URI.create(root + "/v1beta/models/" + model + ":generateContent");
  }

  /**
   * The documented body: one user turn with the reference images, in order, then the prompt; text
   * and image output; the image's shape. Reference images go inline, base64-encoded
   * ({@code inlineData}), before the text part as Gemini's image-editing examples do; the tokens they
   * take are counted in {@code promptTokenCount}, so the price table bills them at the input rate.
   * {@code imageSize} (1K, 2K, 4K) is documented for the Gemini 3 image models; the 2.5 model
   * renders at about 1K only, so it is not sent there rather than risk a rejected request.
   *
   * <p>An edit is the same body: its source image is the request's first image, so it is the first
   * {@code inlineData} part, before the other references, and the text part is its instruction.
   * Its mask is not sent, since Gemini takes none; the job runner keeps the source's pixels outside
   * it.
   *
   * <p>Written straight to UTF-8 bytes: with reference images the body is megabytes of base64
   * (a third more than the images), held beside the images until the call ends, and a String
   * would hold it once more.
   */
  static byte[] requestBody(GenerationRequest request, String model) {
    JsonMapper json = JsonMapper.shared();
    ObjectNode body = json.createObjectNode();
    ArrayNode parts = body.putArray("contents").addObject()
        .put("role", "user")
        .putArray("parts");
    Base64.Encoder base64 = Base64.getEncoder();
    for (ReferenceInput reference : request.references()) {
      parts.addObject().putObject("inlineData")
          .put("mimeType", reference.contentType())
          .put("data", base64.encodeToString(reference.content()));
    }
    parts.addObject().put("text", request.prompt());
    ObjectNode config = body.putObject("generationConfig");
    config.putArray("responseModalities").add("TEXT").add("IMAGE");
    ObjectNode imageConfig = config.putObject("imageConfig");
    if (request.aspectRatio() != null && !request.aspectRatio().isBlank()) {
      imageConfig.put("aspectRatio", request.aspectRatio().strip());
    }
    if (request.imageSize() != null && !request.imageSize().isBlank() && !model.startsWith(FIXED_SIZE_MODELS)) {
      imageConfig.put("imageSize", request.imageSize().strip());
    }
    return json.writeValueAsBytes(body);
  }
}
