package dev.imagejobs.webhooks;

import com.sun.net.httpserver.HttpServer;
import dev.imagejobs.messaging.WebhookMessages;
import dev.imagejobs.outbound.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver of webhooks, as a customer would run one: every request is verified against
 * the endpoint's secrets the Standard Webhooks way, and answered with the statuses a test lines up
 * (200 once they run out), or held until the test lets it go.
 */
final class WebhookReceiver implements AutoCloseable {

  /** A request as received, with whether its signature verified against one of the endpoint's secrets. */
  record Received(String path, String id, String timestamp, String signature, String body, boolean verified) {}

  private final HttpServer server;
  private final Map<String, List<String>> secrets = new ConcurrentHashMap<>();
  private final Map<String, Deque<Integer>> statuses = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> mostOpen = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String id = exchange.getRequestHeaders().getFirst(WebhookMessages.ID);
      String timestamp = exchange.getRequestHeaders().getFirst(WebhookMessages.TIMESTAMP);
      String signature = exchange.getRequestHeaders().getFirst(WebhookMessages.SIGNATURE);
      boolean verified = secrets.getOrDefault(path, List.of()).stream().anyMatch(secret -> WebhookSignature.verify(
          secret, id, timestamp, body, signature, Duration.ofMinutes(5), Instant.now()));
      int now = open.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      mostOpen.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      try {
        received.add(new Received(path, id, timestamp, signature, body, verified));
        CountDownLatch hold = holds.get(path);
        if (hold != null) {
          hold.await(30, TimeUnit.SECONDS);
        }
        Integer status;
        synchronized (statuses) {
          status = statuses.getOrDefault(path, new ArrayDeque<>()).poll();
        }
        int answer = status == null ? (verified ? 204 : 401) : status;
        exchange.sendResponseHeaders(answer, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        open.get(path).decrementAndGet();
        exchange.close();
      }
    });
    server.start();
  }

  /** The URL of an endpoint of this receiver that verifies with {@code endpointSecrets}. */
  URI endpoint(String path, String... endpointSecrets) {
    secrets.put(path, List.of(endpointSecrets));
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** The next requests to {@code path} are answered with these statuses, then 204 again. */
  void answer(String path, Integer... next) {
    synchronized (statuses) {
      statuses.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(next));
    }
  }

  /** Requests to {@code path} wait until the latch opens. */
  void hold(String path, CountDownLatch latch) {
    holds.put(path, latch);
  }

  List<Received> received(String path) {
    List<Received> matching = new ArrayList<>();
    for (Received request : received) {
      if (request.path().equals(path)) {
        matching.add(request);
      }
    }
    return matching;
  }

  /** The most requests to {@code path} that were open at once. */
  int mostAtOnce(String path) {
    AtomicInteger most = mostOpen.get(path);
    return most == null ? 0 : most.get();
  }

  @Override
  public void close() {
    holds.values().forEach(CountDownLatch::countDown);
    server.stop(0);
  }
}
