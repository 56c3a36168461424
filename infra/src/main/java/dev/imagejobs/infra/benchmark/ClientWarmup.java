package dev.imagejobs.infra.benchmark;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Warms the benchmark's own client up before the first scenario: the open-loop HTTP path against a
 * loopback stub, and the event-stream parser and job-view reader on synthetic events. A cold client
 * costs several times its warm CPU while the JIT compiles it, on the same cores the stack uses; this
 * keeps that cost out of the first measured window. It touches no stack.
 */
final class ClientWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(ClientWarmup.class);
  private static final double RATE = 500;
  private static final byte[] VIEW = ("{\"jobId\":\"00000000-0000-0000-0000-000000000000\",\"status\":\"queued\","
      + "\"projectId\":\"warm-up\",\"image\":null,\"updatedAt\":\"2026-01-01T00:00:00.123456Z\",\"eventSeq\":1}")
      .getBytes(StandardCharsets.UTF_8);

  private ClientWarmup() {}

  static void run(Duration duration, JsonMapper json) {
    LOG.info("Warming the benchmark client up for {} s against a loopback stub", duration.toSeconds());
    HttpServer stub;
    try {
      stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the warm-up stub", e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(2);
    stub.setExecutor(executor);
    stub.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(202, VIEW.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(VIEW);
      }
    });
    stub.start();
    try (GatewayClient client = new GatewayClient("http://127.0.0.1:" + stub.getAddress().getPort(), "warm-up", json)) {
      JobRequests requests = new JobRequests("warm-up");
      new OpenLoopLoad(index -> client.submit(requests.body(index)), Duration.ofSeconds(5))
          .start(RATE, Duration.ZERO, duration, (index, jobId, intended, answered, measured) -> { })
          .result().get(duration.toSeconds() + 30, TimeUnit.SECONDS);
      byte[] event = ("id:1\nevent:JobRequested\ndata:" + new String(VIEW, StandardCharsets.UTF_8) + "\n\n")
          .getBytes(StandardCharsets.UTF_8);
      SseParser parser = new SseParser();
      Consumer<SseEvent> read = parsed -> JobViewFields.parse(json, parsed.data());
      for (int i = 0; i < 20_000; i++) {
        parser.feed(event, read);
      }
    } catch (Exception e) {
      LOG.warn("Client warm-up incomplete: {}", e.toString());
    } finally {
      stub.stop(0);
      executor.shutdownNow();
    }
  }
}
