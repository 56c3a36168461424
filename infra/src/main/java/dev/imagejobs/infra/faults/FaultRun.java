package dev.imagejobs.infra.faults;

import dev.imagejobs.infra.AuditProcess;
import dev.imagejobs.infra.LocalStack;
import dev.imagejobs.infra.RunningStack;
import dev.imagejobs.infra.StackSettings;
import dev.imagejobs.infra.benchmark.SseClient;
import dev.imagejobs.infra.benchmark.SseEvent;
import dev.imagejobs.infra.benchmark.SseSubscription;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fault run: a stack with every service as several instances (separate processes, one broker,
 * one PostgreSQL) under a steady load of jobs with failures, retries and cancels, while instances
 * are killed with SIGKILL; then the count of what was lost, duplicated or called twice, the read
 * model compared with a rebuild by the audit tool, and an event stream that followed the project
 * through the kills, reconnecting to another gateway with {@code Last-Event-ID}.
 */
public final class FaultRun {
  private static final Logger LOG = LoggerFactory.getLogger(FaultRun.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "canceled");
  /** Every this many jobs, one asks to fail (and is retried once) and one is canceled at once. */
  private static final int FAIL_EVERY = 10;
  private static final int FAIL_AT = 3;
  private static final int CANCEL_AT = 7;
  static final String FAIL_MARKER = "#fail";

  private final Options options;
  private final RunningStack stack;
  private final Path callLog;
  private final String project = "fault-" + Instant.now().toEpochMilli();
  private final Set<String> dead = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> killedPids = new LinkedHashMap<>();
  /** Idempotency key → every job id a gateway answered for it. */
  private final Map<String, Set<String>> jobsByKey = new LinkedHashMap<>();
  private final List<String> failing = new ArrayList<>();
  private final List<String> retried = new ArrayList<>();
  private final List<String> canceled = new ArrayList<>();
  private final ProjectFollower follower;

  private FaultRun(Options options, RunningStack stack, Path callLog) {
    this.options = options;
    this.stack = stack;
    this.callLog = callLog;
    this.follower = new ProjectFollower();
  }

  /** Runs the fault run on a stack of its own in {@code options.stateDir()}, built at {@code home}. */
  public static FaultReport run(Options options, Path home) throws Exception {
    Path callLog = options.stateDir().resolve("provider-calls.log");
    Map<String, String> environment = new HashMap<>(Map.ofEntries(
        Map.entry(StackSettings.STATE_DIR, options.stateDir().toString()),
        Map.entry(StackSettings.GATEWAY_PORT, "0"), Map.entry(StackSettings.GENERATION_PORT, "0"),
        Map.entry(StackSettings.UPLOAD_PORT, "0"), Map.entry(StackSettings.STREAMS_PORT, "0"),
        Map.entry(StackSettings.WEBHOOKS_PORT, "0"),
        Map.entry(StackSettings.KAFKA_PORT, "0"), Map.entry(StackSettings.KAFKA_CONTROLLER_PORT, "0"),
        Map.entry(StackSettings.POSTGRES_PORT, "0"),
        Map.entry("IMAGEJOBS_PROVIDERS_LOCAL_LATENCY", options.providerLatency().toMillis() + "ms"),
        Map.entry("IMAGEJOBS_PROVIDERS_LOCAL_LONG_SIDE", "64"),
        Map.entry("IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER", FAIL_MARKER),
        Map.entry("IMAGEJOBS_PROVIDERS_LOCAL_CALL_LOG", callLog.toString()),
        // The load is this run's; the limits and their division across instances are documented.
        Map.entry("IMAGEJOBS_RATE_LIMIT_ENABLED", "false"),
        // A killed instance's partitions move to the others once its session times out.
        Map.entry("SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "10000"),
        Map.entry("SPRING_KAFKA_STREAMS_PROPERTIES_SESSION_TIMEOUT_MS", "10000")));
    StackSettings settings = StackSettings.fromEnvironment(environment, home);
    long started = System.nanoTime();
    try (RunningStack stack = LocalStack.start(settings, options.instances())) {
      FaultRun run = new FaultRun(options, stack, callLog);
      return run.execute(AuditProcess.jar(home), (System.nanoTime() - started) / 1e9);
    }
  }

  private FaultReport execute(Path auditJar, double startSeconds) throws Exception {
    follower.open(lastOf(stack.gatewayUrls().keySet()), null);
    long loadStarted = System.nanoTime();
    submitTheLoad();
    double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
    Map<String, JsonNode> views = awaitEveryJobEnded();
    follower.awaitCaughtUp(views, Duration.ofSeconds(60));
    follower.close();

    Map<String, Long> ended = new LinkedHashMap<>();
    views.values().forEach(view -> ended.merge(view.path("status").asString(), 1L, Long::sum));
    long lost = jobsByKey.values().stream().flatMap(Set::stream)
        .filter(job -> !views.containsKey(job) || !TERMINAL.contains(views.get(job).path("status").asString()))
        .count();
    long duplicateAnswers = jobsByKey.values().stream().filter(jobs -> jobs.size() > 1).count();
    Topic topic = readLifecycleTopic();
    long duplicateSummaries = countDuplicateSummaries();
    ProviderCalls calls = ProviderCalls.read(callLog, killedPids.values());
    AuditProcess.Result audit = AuditProcess.verifyReadModel(auditJar, stack, Map.of(),
        options.stateDir().resolve("logs").resolve("audit.log"), Duration.ofMinutes(5));
    FollowerCount stream = follower.count(views);
    return new FaultReport(options, startSeconds, loadSeconds, jobsByKey.size(), retried.size(), canceled.size(),
        List.copyOf(killedPids.keySet()), ended, lost, duplicateAnswers + topic.extraJobs(), topic.duplicateEnds(),
        duplicateSummaries, calls, audit.exitCode(), audit.differences().orElse(-1), stream.reconnects(),
        stream.duplicates(), stream.missing());
  }

  /** Submits the jobs at the configured rate, kills instances along the way, retries and cancels some. */
  private void submitTheLoad() throws Exception {
    List<Integer> killAt = new ArrayList<>();
    for (int k = 0; k < options.kills().size(); k++) {
      killAt.add((int) (options.jobs() * (0.25 + 0.5 * k / Math.max(1, options.kills().size()))));
    }
    long intervalNanos = (long) (1e9 / options.perSecond());
    long next = System.nanoTime();
    for (int i = 0; i < options.jobs(); i++) {
      int index = killAt.indexOf(i);
      if (index >= 0) {
        kill(options.kills().get(index));
      }
      String prompt = "Fault run job " + i + (i % FAIL_EVERY == FAIL_AT ? " " + FAIL_MARKER : "");
      String job = submit("fault-" + project + "-" + i, prompt, i);
      if (i % FAIL_EVERY == FAIL_AT) {
        failing.add(job);
      } else if (i % FAIL_EVERY == CANCEL_AT) {
        command(job, "cancel");
        canceled.add(job);
      }
      retryFailedOnes();
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  private void kill(String name) {
    Long pid = stack.processIds().get(name);
    if (pid == null) {
      throw new IllegalArgumentException("No process " + name + " in " + stack.processIds().keySet());
    }
    LOG.info("Killing {} (pid {}) with SIGKILL", name, pid);
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    killedPids.put(name, pid);
    dead.add(name);
  }

  /** POSTs the job to a living gateway; a gateway that does not answer is replaced by another, with the same key. */
  private String submit(String key, String prompt, int i) throws Exception {
    String body = JSON.writeValueAsString(Map.of("jobType", "ASSET_IMAGE_KEY", "projectId", project,
        "branchId", "main", "assetId", "asset" + i, "prompt", prompt, "aspectRatio", "1:1"));
    for (int attempt = 0; attempt < 60; attempt++) {
      String gateway = gateway(i + attempt);
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/images/jobs"))
            .header("Authorization", "Bearer " + stack.devToken()).header("Content-Type", "application/json")
            .header("Idempotency-Key", key).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202 || response.statusCode() == 200) {
          String job = JSON.readTree(response.body()).path("jobId").asString();
          jobsByKey.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(job);
          return job;
        }
        LOG.info("POST on {} answered {}: {}", gateway, response.statusCode(), response.body());
      } catch (IOException e) {
        LOG.info("POST on {} failed ({}); trying another gateway", gateway, e.toString());
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("No gateway accepted job " + key);
  }

  /** Each job that asked to fail is retried once, when it has failed. */
  private void retryFailedOnes() throws Exception {
    for (String job : List.copyOf(failing)) {
      Optional<JsonNode> view = view(job);
      if (view.isPresent() && "failed".equals(view.get().path("status").asString())) {
        command(job, "retry");
        failing.remove(job);
        retried.add(job);
      }
    }
  }

  private void command(String job, String command) throws Exception {
    for (int attempt = 0; attempt < 60; attempt++) {
      String gateway = gateway(attempt);
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(gateway + "/api/v1/images/jobs/" + job + "/" + command))
            .header("Authorization", "Bearer " + stack.devToken()).header("Idempotency-Key", command + "-" + job)
            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() < 500) {
          return;
        }
      } catch (IOException e) {
        LOG.info("{} of {} on {} failed ({}); trying another gateway", command, job, gateway, e.toString());
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("No gateway took the " + command + " of " + job);
  }

  private Optional<JsonNode> view(String job) throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      String gateway = gateway(attempt);
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/images/jobs/" + job))
            .header("Authorization", "Bearer " + stack.devToken()).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return Optional.of(JSON.readTree(response.body()));
        }
        if (response.statusCode() == 404) {
          return Optional.empty();
        }
      } catch (IOException e) {
        LOG.debug("GET of {} on {} failed", job, gateway, e);
      }
      Thread.sleep(250);
    }
    return Optional.empty();
  }

  /** Waits for every job (and every retry) to end; returns the last view of each. */
  private Map<String, JsonNode> awaitEveryJobEnded() throws Exception {
    long deadline = System.nanoTime() + options.jobTimeout().toNanos();
    Map<String, JsonNode> views = new LinkedHashMap<>();
    List<String> jobs = jobsByKey.values().stream().flatMap(Set::stream).distinct().toList();
    while (System.nanoTime() < deadline) {
      retryFailedOnes();
      boolean all = failing.isEmpty();
      for (String job : jobs) {
        JsonNode known = views.get(job);
        if (known != null && TERMINAL.contains(known.path("status").asString()) && !retried.contains(job)) {
          continue;
        }
        Optional<JsonNode> view = view(job);
        view.ifPresent(v -> views.put(job, v));
        boolean ended = view.isPresent() && TERMINAL.contains(view.get().path("status").asString())
            && (!retried.contains(job) || view.get().path("retryCount").asInt(0) >= 1);
        all &= ended;
      }
      if (all) {
        return views;
      }
      Thread.sleep(1000);
    }
    LOG.warn("Not every job ended within {}", options.jobTimeout());
    return views;
  }

  private String gateway(int turn) {
    List<String> alive = stack.gatewayUrls().entrySet().stream()
        .filter(entry -> !dead.contains(entry.getKey())).map(Map.Entry::getValue).toList();
    return alive.get(Math.floorMod(turn, alive.size()));
  }

  private static String lastOf(Set<String> names) {
    return new ArrayList<>(names).get(names.size() - 1);
  }

  /** What the lifecycle topic says: jobs nobody asked for, and runs that ended more than once. */
  private record Topic(long extraJobs, long duplicateEnds) {}

  private Topic readLifecycleTopic() {
    LifecycleCodec codec = new LifecycleCodec();
    Set<String> known = Set.copyOf(jobsByKey.values().stream().flatMap(Set::stream).toList());
    Set<String> requested = new HashSet<>();
    Map<String, AtomicInteger> ends = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(Topics.LIFECYCLE.name())) {
      LifecycleEvent event = codec.decode(record.value());
      if (event.type() == EventType.JOB_REQUESTED) {
        requested.add(event.jobId());
      }
      if (event.type() == EventType.JOB_COMPLETED || event.type() == EventType.JOB_FAILED
          || event.type() == EventType.JOB_CANCELED) {
        ends.computeIfAbsent(event.jobId() + "/" + event.metadata().getRun(), k -> new AtomicInteger()).incrementAndGet();
      }
    }
    long extra = requested.stream().filter(job -> !known.contains(job)).count();
    long duplicateEnds = ends.values().stream().filter(count -> count.get() > 1).count();
    return new Topic(extra, duplicateEnds);
  }

  private long countDuplicateSummaries() {
    CompletedJobCodec codec = new CompletedJobCodec();
    Map<String, AtomicInteger> summaries = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(Topics.COMPLETED.name())) {
      summaries.computeIfAbsent(codec.decode(record.value()).getJobId(), k -> new AtomicInteger()).incrementAndGet();
    }
    return summaries.values().stream().filter(count -> count.get() > 1).count();
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not read " + topic + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** What the event stream received. */
  private record FollowerCount(long reconnects, long duplicates, long missing) {}

  /**
   * Follows the project's event stream; when its gateway goes away, resumes on another with the
   * last id it received, as {@code EventSource} does.
   */
  private final class ProjectFollower {
    private final Map<String, List<Long>> seqsByJob = new ConcurrentHashMap<>();
    private final AtomicReference<String> lastId = new AtomicReference<>();
    private final AtomicReference<SseSubscription> current = new AtomicReference<>();
    private final AtomicReference<SseClient> client = new AtomicReference<>();
    private final List<String> gateways = new CopyOnWriteArrayList<>();
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile boolean closed;

    void open(String gatewayName, String after) {
      String url = stack.gatewayUrls().get(gatewayName);
      gateways.add(gatewayName);
      SseClient sse = new SseClient(url, stack.devToken());
      SseClient previous = client.getAndSet(sse);
      current.set(sse.subscribe("/api/v1/images/events?projectId=" + project, after, this::received, this::ended));
      if (previous != null) {
        previous.close();
      }
    }

    private void received(SseEvent event, long nanos, long micros) {
      if (event.data() == null || event.data().isEmpty() || event.id() == null) {
        return;
      }
      JsonNode view = JSON.readTree(event.data());
      seqsByJob.computeIfAbsent(view.path("jobId").asString(), job -> new CopyOnWriteArrayList<>())
          .add(view.path("eventSeq").asLong());
      lastId.set(event.id());
    }

    private void ended() {
      if (closed) {
        return;
      }
      reconnects.incrementAndGet();
      Thread reconnect = new Thread(() -> {
        try {
          Thread.sleep(500);
          String next = stack.gatewayUrls().keySet().stream().filter(name -> !dead.contains(name)).findFirst().orElseThrow();
          LOG.info("The project stream ended; resuming on {} after {}", next, lastId.get());
          open(next, lastId.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "fault-run-stream-reconnect");
      reconnect.setDaemon(true);
      reconnect.start();
    }

    void awaitCaughtUp(Map<String, JsonNode> views, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && count(views).missing() > 0) {
        Thread.sleep(500);
      }
    }

    FollowerCount count(Map<String, JsonNode> views) {
      long duplicates = 0;
      long missing = 0;
      for (Map.Entry<String, JsonNode> job : views.entrySet()) {
        List<Long> seqs = seqsByJob.getOrDefault(job.getKey(), List.of());
        long distinct = seqs.stream().distinct().count();
        duplicates += seqs.size() - distinct;
        missing += Math.max(0, job.getValue().path("eventSeq").asLong() - distinct);
      }
      return new FollowerCount(reconnects.get(), duplicates, missing);
    }

    void close() {
      closed = true;
      Optional.ofNullable(current.get()).ifPresent(SseSubscription::close);
      Optional.ofNullable(client.get()).ifPresent(SseClient::close);
    }
  }

  /**
   * What to run.
   *
   * @param instances processes of each service
   * @param jobs jobs submitted
   * @param perSecond submission rate
   * @param providerLatency how long the local provider takes per image
   * @param kills process names killed, in order, spread over the middle half of the load
   * @param jobTimeout how long every job may take to end after the load
   * @param stateDir the stack's state directory
   */
  public record Options(int instances, int jobs, double perSecond, Duration providerLatency, List<String> kills,
      Duration jobTimeout, Path stateDir) {}

  /** Prints the report of a run; {@code --help} lists the options. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) {
      System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.imagejobs.schemas.avro");
    }
    FaultRunCommand.main(args, System.out);
  }
}
