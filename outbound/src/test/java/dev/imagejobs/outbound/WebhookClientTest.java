package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookClientTest {
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(700);
  private static final OutboundUrlPolicy LOCAL = new OutboundUrlPolicy("webhook URL", true, Set.of(), true);
  private static final String BODY = "{\"type\":\"job.succeeded\",\"data\":{\"prompt\":\"caf\u00e9\"}}";

  /** What a handler saw of one request. */
  private record Received(String method, String path, Map<String, List<String>> headers, String body) {
    /** The header's values, joined; names compared case-insensitively as HTTP does. */
    String header(String name) {
      return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
          .map(entry -> String.join(",", entry.getValue())).findFirst().orElse(null);
    }
  }

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch releaseHangingHandlers = new CountDownLatch(1);
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private HttpServer server;
  private WebhookClient client;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/ok", exchange -> respond(record(exchange), 204, new byte[0]));
    server.createContext("/accepted", exchange -> respond(record(exchange), 202,
        "{\"received\":true}".getBytes(StandardCharsets.UTF_8)));
    server.createContext("/broken", exchange -> respond(record(exchange), 500,
        "upstream exploded".getBytes(StandardCharsets.UTF_8)));
    server.createContext("/moved", exchange -> {
      exchange.getResponseHeaders().add("Location", "/ok");
      respond(record(exchange), 302, new byte[0]);
    });
    server.createContext("/hang", exchange -> {
      record(exchange);
      try {
        releaseHangingHandlers.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.createContext("/huge", exchange -> {
      record(exchange);
      byte[] block = new byte[64 * 1024];
      Arrays.fill(block, (byte) 'x');
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream body = exchange.getResponseBody()) {
        for (int i = 0; i < 32; i++) {
          body.write(block);
        }
      }
    });
    server.start();
    client = new WebhookClient(LOCAL, Duration.ofSeconds(2), RESPONSE_TIMEOUT, 8);
  }

  @AfterEach
  void stop() {
    client.close();
    releaseHangingHandlers.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void givenAReceiverThatAccepts_thenDeliveredWithTheBodyAndHeadersReceivedAsSent() throws Exception {
    WebhookResponse response = client.post(url("/accepted?token=t0ken"),
        Map.of("webhook-id", "msg_1", "webhook-timestamp", "1614265330", "webhook-signature", "v1,abc="), BODY)
        .get(10, TimeUnit.SECONDS);

    assertThat(response.delivered()).isTrue();
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.error()).isNull();
    assertThat(response.bodyExcerpt()).isEqualTo("{\"received\":true}");
    assertThat(response.latency()).isPositive();
    Received request = received.poll();
    assertThat(request).isNotNull();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/accepted");
    assertThat(request.body()).isEqualTo(BODY);
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("User-Agent")).isEqualTo("image-jobs-webhooks/1");
    assertThat(request.header("webhook-id")).isEqualTo("msg_1");
    assertThat(request.header("webhook-timestamp")).isEqualTo("1614265330");
    assertThat(request.header("webhook-signature")).isEqualTo("v1,abc=");
    assertThat(received).isEmpty();
  }

  @Test
  void givenAnAnswerWithoutBody_thenDeliveredWithAnEmptyExcerpt() throws Exception {
    WebhookResponse response = client.post(url("/ok"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response).extracting(WebhookResponse::status, WebhookResponse::error, WebhookResponse::bodyExcerpt)
        .containsExactly(204, null, "");
    assertThat(response.delivered()).isTrue();
  }

  @Test
  void givenAServerError_thenRecordedWithItsStatusAndBodyAndNotDelivered() throws Exception {
    WebhookResponse response = client.post(url("/broken"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response.delivered()).isFalse();
    assertThat(response.status()).isEqualTo(500);
    assertThat(response.error()).isNull();
    assertThat(response.bodyExcerpt()).isEqualTo("upstream exploded");
  }

  @Test
  void givenARedirect_thenItIsNotFollowed() throws Exception {
    WebhookResponse response = client.post(url("/moved"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(302);
    assertThat(response.delivered()).isFalse();
    assertThat(response.error()).isNull();
    assertThat(received).extracting(Received::path).containsExactly("/moved");
  }

  @Test
  void givenAReceiverThatNeverAnswers_thenATimeoutWithoutStatusAfterTheResponseTimeout() throws Exception {
    WebhookResponse response = client.post(url("/hang"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isZero();
    assertThat(response.delivered()).isFalse();
    assertThat(response.error()).isEqualTo("timed out after 700 ms");
    assertThat(response.bodyExcerpt()).isNull();
    assertThat(response.latency()).isGreaterThanOrEqualTo(RESPONSE_TIMEOUT).isLessThan(Duration.ofSeconds(5));
    assertThat(received).extracting(Received::path).containsExactly("/hang");
  }

  @Test
  void givenALargeResponseBody_thenDeliveredWithItsStartOnly() throws Exception {
    WebhookResponse response = client.post(url("/huge"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response.delivered()).isTrue();
    assertThat(response.error()).isNull();
    assertThat(response.bodyExcerpt()).hasSize(WebhookResponse.MAX_EXCERPT_CHARS).matches("x+");
  }

  @Test
  void givenAPrivateAddressThePolicyForbids_thenRefusedWithoutARequest() throws Exception {
    OutboundUrlPolicy strict = new OutboundUrlPolicy("webhook URL", true, Set.of(), false);
    try (WebhookClient guarded = new WebhookClient(strict, Duration.ofSeconds(2), RESPONSE_TIMEOUT, 8)) {
      WebhookResponse response = guarded.post(url("/ok"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

      assertThat(response.status()).isZero();
      assertThat(response.delivered()).isFalse();
      // The address our name servers answered is not told to whoever gave the URL.
      assertThat(response.error()).isEqualTo("the webhook URL host '127.0.0.1' resolves to an internal address"
          + " (loopback)");
    }
    assertThat(received).isEmpty();
  }

  @Test
  void givenAHostThatResolvesToAPublicAddressAndThenToLoopback_thenNoConnectionIsMade() throws Exception {
    // DNS rebinding: the first answer passes the check, the connection's own lookup points inside.
    AtomicInteger lookups = new AtomicInteger();
    OutboundUrlPolicy rebinding = new OutboundUrlPolicy("webhook URL", true, Set.of(), false,
        host -> lookups.getAndIncrement() == 0
            ? new InetAddress[] {InetAddress.getByName("203.0.113.10")}
            : new InetAddress[] {InetAddress.getLoopbackAddress()});
    try (WebhookClient guarded = new WebhookClient(rebinding, Duration.ofSeconds(2), RESPONSE_TIMEOUT, 8)) {
      WebhookResponse response = guarded.post(URI.create("http://rebind.example:" + port() + "/ok"), Map.of(), BODY)
          .get(10, TimeUnit.SECONDS);

      assertThat(response.status()).isZero();
      assertThat(response.error()).isEqualTo("the webhook URL host 'rebind.example' resolves to an internal"
          + " address (loopback)");
    }
    assertThat(lookups).as("the check, then the connection's own lookup, checked again").hasValue(2);
    assertThat(received).isEmpty();
  }

  @Test
  void givenAUrlThePolicyRefuses_thenTheReasonWithoutTheQueryOrUserInfo() throws Exception {
    WebhookResponse response = client.post(URI.create("ftp://user:pw@hooks.example/in?token=t0ken"), Map.of(), BODY)
        .get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isZero();
    assertThat(response.error()).isEqualTo("the webhook URL ftp://hooks.example/in must use https")
        .doesNotContain("t0ken", "pw");
  }

  @Test
  void givenAPortNobodyListensOn_thenConnectionRefused() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    WebhookResponse response = client.post(URI.create("http://127.0.0.1:" + closedPort + "/ok"), Map.of(), BODY)
        .get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isZero();
    assertThat(response.error()).isEqualTo("connection refused");
    assertThat(response.bodyExcerpt()).isNull();
  }

  @Test
  void givenAClosedClient_thenAnOutcomeInsteadOfAnException() throws Exception {
    client.close();

    WebhookResponse response = client.post(url("/ok"), Map.of(), BODY).get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isZero();
    assertThat(response.error()).isEqualTo("the webhook client is closed");
    assertThat(received).isEmpty();
  }

  private URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  private int port() {
    return server.getAddress().getPort();
  }

  private HttpExchange record(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        Map.copyOf(exchange.getRequestHeaders()), body));
    return exchange;
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
