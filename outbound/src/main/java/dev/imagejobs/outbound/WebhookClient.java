package dev.imagejobs.outbound;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.io.CloseMode;

/**
 * POSTs webhooks to URLs the services' clients registered. Those URLs are not ours, so every request
 * is checked against the {@link OutboundUrlPolicy} and made by an HTTP client whose only way to find
 * an address is that policy: the address connected to is the address checked, and a host that
 * resolves to a public address for the check and to an internal one a moment later (DNS rebinding)
 * is refused. Redirects are not followed (a 3xx is an answer like any other non-2xx), nothing is
 * retried here (the delivery service decides), and only the start of a response body is kept.
 *
 * <p>{@link #post} never completes exceptionally: whatever happens, from a refused URL to a receiver
 * that never answers, is a {@link WebhookResponse}, so the caller records one outcome per attempt.
 * The outcome may complete on the client's I/O threads; callers must not block in their
 * continuations. The client starts with the first request; {@link #close()} stops it.
 */
public final class WebhookClient implements AutoCloseable {
  /** Identifies the sender to the receiver's logs; the version changes with the payload format. */
  public static final String USER_AGENT = "image-jobs-webhooks/1";

  /** Response bytes kept: enough for {@link WebhookResponse#MAX_EXCERPT_CHARS} characters of UTF-8. */
  static final int MAX_BODY_BYTES = 4 * 1024;

  private static final ContentType JSON = ContentType.create("application/json");

  private final OutboundUrlPolicy policy;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration deadline;
  private final int maxConnections;
  private final FailureReason reasons;
  private CloseableHttpAsyncClient http;
  private boolean closed;

  /**
   * @param policy decides which URLs may be posted to, and is the client's only resolver
   * @param connectTimeout how long connecting (TLS included) may take
   * @param responseTimeout how long the receiver may stay silent once the request is sent; the
   *     whole request is also bounded, by the sum of both timeouts
   * @param maxConnections connections open at once, in all and to any one receiver
   */
  public WebhookClient(OutboundUrlPolicy policy, Duration connectTimeout, Duration responseTimeout,
      int maxConnections) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.connectTimeout = positive(connectTimeout, "connect timeout");
    this.responseTimeout = positive(responseTimeout, "response timeout");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("A webhook client needs at least 1 connection, not " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.deadline = connectTimeout.plus(responseTimeout);
    this.reasons = new FailureReason(connectTimeout, responseTimeout, deadline);
  }

  /**
   * POSTs {@code jsonBody} to {@code url} as {@code application/json}, with {@link #USER_AGENT} and
   * the given headers (which replace a default of the same name).
   *
   * @param headers added to the request; null for none
   * @return the outcome; never completes exceptionally
   * @throws NullPointerException when {@code jsonBody} is null
   */
  public CompletableFuture<WebhookResponse> post(URI url, Map<String, String> headers, String jsonBody) {
    Objects.requireNonNull(jsonBody, "jsonBody");
    long start = System.nanoTime();
    try {
      policy.check(url);
    } catch (IllegalArgumentException e) {
      String reason = e.getCause() instanceof OutboundUrlPolicy.RefusedAddressException refused
          ? refused.withoutAddress() : e.getMessage();
      return CompletableFuture.completedFuture(failed(start, FailureReason.refused(reason)));
    }
    RecordingResponseConsumer consumer = new RecordingResponseConsumer(MAX_BODY_BYTES);
    CompletableFuture<Message<HttpResponse, byte[]>> answer = new CompletableFuture<>();
    Future<Message<HttpResponse, byte[]>> exchange;
    try {
      exchange = client().execute(request(url, headers, jsonBody), consumer, OutboundHttpClients.completing(answer));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(start, closed() ? "the webhook client is closed"
          : "the request could not be started"));
    }
    return answer.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          if (failure != null) {
            exchange.cancel(true);
          }
          try {
            return outcome(start, response, failure, consumer);
          } catch (RuntimeException e) {
            return failed(start, "the request failed");
          }
        });
  }

  private WebhookResponse outcome(long start, Message<HttpResponse, byte[]> response, Throwable failure,
      RecordingResponseConsumer consumer) {
    if (failure == null) {
      byte[] body = response.getBody() == null ? new byte[0] : response.getBody();
      return new WebhookResponse(response.getHead().getCode(), since(start), null, excerpt(body));
    }
    if (consumer.status() != 0) {
      // The receiver answered, then stalled or broke off in the body: its status is the outcome.
      return new WebhookResponse(consumer.status(), since(start), null, excerpt(consumer.bodySoFar()));
    }
    return failed(start, reasons.of(failure));
  }

  private static AsyncRequestProducer request(URI url, Map<String, String> headers, String jsonBody) {
    AsyncRequestBuilder request = AsyncRequestBuilder.post(url)
        .setHeader("User-Agent", USER_AGENT)
        .setEntity(AsyncEntityProducers.create(jsonBody.getBytes(StandardCharsets.UTF_8), JSON));
    if (headers != null) {
      headers.forEach(request::setHeader);
    }
    return request.build();
  }

  private synchronized CloseableHttpAsyncClient client() {
    if (closed) {
      throw new IllegalStateException("The webhook client is closed");
    }
    if (http == null) {
      http = OutboundHttpClients.builder(policy, connectTimeout, responseTimeout, deadline, maxConnections)
          .setUserAgent(USER_AGENT)
          .build();
      http.start();
    }
    return http;
  }

  private synchronized boolean closed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (http != null) {
      http.close(CloseMode.GRACEFUL);
    }
  }

  private static WebhookResponse failed(long start, String reason) {
    return new WebhookResponse(0, since(start), reason, null);
  }

  private static String excerpt(byte[] body) {
    return ResponseExcerpt.text(body, WebhookResponse.MAX_EXCERPT_CHARS);
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static Duration positive(Duration duration, String name) {
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("A webhook client's " + name + " must be positive");
    }
    return duration;
  }
}
