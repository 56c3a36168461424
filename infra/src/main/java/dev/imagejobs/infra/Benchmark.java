package dev.imagejobs.infra;

import dev.imagejobs.infra.ServiceProcess.Service;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measures the whole system on this machine and prints the figures: it starts a fresh local stack
 * (real broker, PostgreSQL and services, the local provider with a simulated latency), submits jobs
 * from several clients at once, and reports how fast {@code POST} answers, how long jobs take from
 * creation to completion, the throughput, and each service's resident memory.
 *
 * <p>Settings (environment): {@code BENCH_JOBS} (200), {@code BENCH_CLIENTS} (8),
 * {@code IMAGEJOBS_LOCAL_LATENCY} (1s, the simulated provider), plus every local stack variable.
 * The per-tenant creation rate limit is off unless {@code IMAGEJOBS_RATE_LIMIT_ENABLED} says otherwise.
 */
public final class Benchmark {
  private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "canceled");
  private static final int WARM_UP_JOBS = 20;
  private static final Duration JOBS_TIMEOUT = Duration.ofMinutes(10);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private final RunningStack stack;
  private final String project = "bench-" + UUID.randomUUID().toString().substring(0, 8);

  private Benchmark(RunningStack stack) {
    this.stack = stack;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> environment = new HashMap<>(System.getenv());
    int jobs = Integer.parseInt(environment.getOrDefault("BENCH_JOBS", "200"));
    int clients = Integer.parseInt(environment.getOrDefault("BENCH_CLIENTS", "8"));
    environment.putIfAbsent("IMAGEJOBS_LOCAL_LATENCY", "1s");
    // One tenant submits everything: its creation rate limit (5/s, burst 20) would measure only itself.
    environment.putIfAbsent("IMAGEJOBS_RATE_LIMIT_ENABLED", "false");
    Path state = Files.createTempDirectory("image-jobs-benchmark");
    environment.put(StackSettings.STATE_DIR, state.toString());
    for (String port : List.of(StackSettings.GATEWAY_PORT, StackSettings.GENERATION_PORT, StackSettings.UPLOAD_PORT,
        StackSettings.STREAMS_PORT, StackSettings.KAFKA_PORT, StackSettings.KAFKA_CONTROLLER_PORT,
        StackSettings.POSTGRES_PORT)) {
      environment.putIfAbsent(port, "0");
    }
    LOG.info("Starting a fresh stack in {} ({} jobs from {} clients, provider latency {})", state, jobs, clients,
        environment.get("IMAGEJOBS_LOCAL_LATENCY"));
    Instant starting = Instant.now();
    try (RunningStack stack = LocalStack.start(StackSettings.fromEnvironment(environment, LocalStack.defaultHome()))) {
      LOG.info("Stack up in {} s", Duration.between(starting, Instant.now()).toSeconds());
      new Benchmark(stack).run(jobs, clients, environment.get("IMAGEJOBS_LOCAL_LATENCY"));
    } finally {
      deleteRecursively(state);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private void run(int jobs, int clients, String providerLatency) throws Exception {
    awaitAll(submit(WARM_UP_JOBS, clients, new ArrayList<>()));
    List<Long> postMillis = Collections.synchronizedList(new ArrayList<>());
    Instant first = Instant.now();
    List<String> ids = submit(jobs, clients, postMillis);
    Instant submitted = Instant.now();
    List<JsonNode> views = awaitAll(ids);
    Instant done = Instant.now();

    List<Long> endToEnd = new ArrayList<>();
    Map<String, Integer> byStatus = new HashMap<>();
    for (JsonNode view : views) {
      String status = view.path("status").asString();
      byStatus.merge(status, 1, Integer::sum);
      if (status.equals("completed")) {
        endToEnd.add(Duration.between(Instant.parse(view.path("createdAt").asString()),
            Instant.parse(view.path("completedAt").asString())).toMillis());
      }
    }
    String n = System.lineSeparator();
    StringBuilder report = new StringBuilder(n)
        .append("==================== Image Jobs benchmark ====================").append(n)
        .append(String.format(Locale.ROOT, "  Jobs                %d from %d clients, provider latency %s, %d cores%n",
            jobs, clients, providerLatency, Runtime.getRuntime().availableProcessors()))
        .append(String.format(Locale.ROOT, "  Outcome             %s%n", byStatus))
        .append(String.format(Locale.ROOT, "  POST latency (ms)   %s%n", summary(postMillis)))
        .append(String.format(Locale.ROOT, "  Created->completed  %s (ms)%n", summary(endToEnd)))
        .append(String.format(Locale.ROOT, "  Submitting took     %d ms (%.0f requests/s)%n",
            Duration.between(first, submitted).toMillis(), jobs * 1000.0 / Math.max(1, Duration.between(first, submitted).toMillis())))
        .append(String.format(Locale.ROOT, "  All terminal after  %d ms (%.1f jobs/s)%n",
            Duration.between(first, done).toMillis(), jobs * 1000.0 / Math.max(1, Duration.between(first, done).toMillis())));
    for (Service service : Service.values()) {
      report.append(String.format(Locale.ROOT, "  RSS %-16s %s%n", service.artifactId(), residentMemory(service)));
    }
    report.append("==============================================================");
    LOG.info(report.toString());
  }

  /** Submits {@code count} asset-key jobs from {@code clients} threads; returns their ids. */
  private List<String> submit(int count, int clients, List<Long> latencies) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(pool.submit(() -> post(index, latencies)));
      }
      List<String> ids = new ArrayList<>();
      for (Future<String> future : futures) {
        ids.add(future.get());
      }
      return ids;
    } finally {
      pool.shutdownNow();
    }
  }

  private String post(int index, List<Long> latencies) throws IOException, InterruptedException {
    String body = json.writeValueAsString(Map.of(
        "jobType", "ASSET_IMAGE_KEY", "projectId", project, "branchId", "main", "assetId", "asset" + index,
        "prompt", "Benchmark image " + index + ": a lighthouse at dawn, watercolour", "aspectRatio", "16:9"));
    HttpRequest request = authorized(URI.create(stack.gatewayUrl() + "/api/v1/images/jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    long started = System.nanoTime();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    if (response.statusCode() != 202) {
      throw new IllegalStateException("POST answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body()).path("jobId").asString();
  }

  /** Polls every job until it is terminal; returns their views. */
  private List<JsonNode> awaitAll(List<String> ids) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + JOBS_TIMEOUT.toNanos();
    Map<String, JsonNode> terminal = new HashMap<>();
    while (terminal.size() < ids.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException((ids.size() - terminal.size()) + " jobs not terminal after " + JOBS_TIMEOUT);
      }
      for (String id : ids) {
        if (!terminal.containsKey(id)) {
          JsonNode view = json.readTree(http.send(authorized(URI.create(stack.gatewayUrl() + "/api/v1/images/jobs/" + id))
              .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
          if (TERMINAL.contains(view.path("status").asString())) {
            terminal.put(id, view);
          }
        }
      }
      if (terminal.size() < ids.size()) {
        // Polling pace of a client; the figures come from the jobs' own timestamps, not from this loop.
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
    return ids.stream().map(terminal::get).toList();
  }

  private HttpRequest.Builder authorized(URI uri) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    return stack.devToken() == null ? builder : builder.header("Authorization", "Bearer " + stack.devToken());
  }

  private String residentMemory(Service service) {
    try {
      String pid = Files.readString(new StateDirectory(stack.stateDir()).pidFile(service.artifactId())).strip();
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith("VmRSS:")) {
          return line.substring("VmRSS:".length()).strip();
        }
      }
      return "n/a";
    } catch (IOException | RuntimeException e) {
      return "n/a (" + e.getMessage() + ")";
    }
  }

  static String summary(List<Long> values) {
    if (values.isEmpty()) {
      return "none";
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format(Locale.ROOT, "min %d  p50 %d  p95 %d  p99 %d  max %d", sorted.get(0), percentile(sorted, 50),
        percentile(sorted, 95), percentile(sorted, 99), sorted.get(sorted.size() - 1));
  }

  private static long percentile(List<Long> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
