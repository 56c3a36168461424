package dev.imagejobs.infra;

import com.sun.net.httpserver.HttpServer;
import dev.imagejobs.outbound.WebhookSecret;
import dev.imagejobs.outbound.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A webhook receiver on this machine, as a customer runs one: it knows its secret, verifies every
 * request the Standard Webhooks way, answers 204 to what verifies and 401 to the rest.
 */
final class WebhookReceiver implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A request as received, and whether its signature verified. */
  record Received(JsonNode body, boolean verified) {}

  private final String secret = WebhookSecret.generate();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/hooks", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean verified = WebhookSignature.verify(secret, exchange.getRequestHeaders().getFirst("webhook-id"),
          exchange.getRequestHeaders().getFirst("webhook-timestamp"), body,
          exchange.getRequestHeaders().getFirst("webhook-signature"), Duration.ofMinutes(5), Instant.now());
      received.add(new Received(JSON.readTree(body), verified));
      exchange.sendResponseHeaders(verified ? 204 : 401, -1);
      exchange.close();
    });
    server.start();
  }

  /** Registers an endpoint of project {@code p1} on this receiver, with its secret, through the stack's gateway. */
  void register(RunningStack stack, String... eventTypes) throws Exception {
    String body = JSON.writeValueAsString(Map.of("projectId", "p1", "url", url(), "eventTypes", List.of(eventTypes),
        "secret", secret));
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/images/webhooks"))
            .header("Authorization", "Bearer " + stack.devToken())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new AssertionError("Registration answered " + response.statusCode() + ": " + response.body());
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  String secret() {
    return secret;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<String> types() {
    return received.stream().map(request -> request.body().path("type").asString()).toList();
  }

  /** The job ids of the requests of {@code type}, once each. */
  Set<String> jobIds(String type) {
    return received.stream().filter(request -> request.body().path("type").asString().equals(type))
        .map(request -> request.body().path("data").path("jobId").asString()).collect(Collectors.toSet());
  }

  /** The data of the first request of {@code type}. */
  JsonNode data(String type) {
    return received.stream().filter(request -> request.body().path("type").asString().equals(type)).findFirst()
        .orElseThrow().body().path("data");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
