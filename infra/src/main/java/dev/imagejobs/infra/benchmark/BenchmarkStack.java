package dev.imagejobs.infra.benchmark;

import dev.imagejobs.infra.LocalStack;
import dev.imagejobs.infra.RunningStack;
import dev.imagejobs.infra.StackSettings;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local stack started for the benchmark: a temporary state directory, free ports, the
 * deployment JVM flags with GC logging, PostgreSQL with durable commits, no per-tenant rate limit
 * and the cheap local provider, plus whatever a scenario overrides. It knows the settings it runs
 * with (as the servers report them) and is deleted when closed unless asked to keep it.
 */
final class BenchmarkStack implements AutoCloseable {

  static final String LOCAL_LATENCY = "IMAGEJOBS_PROVIDERS_LOCAL_LATENCY";
  static final String LOCAL_MODE = "IMAGEJOBS_PROVIDERS_LOCAL_MODE";
  static final String LOCAL_LONG_SIDE = "IMAGEJOBS_PROVIDERS_LOCAL_LONG_SIDE";
  static final String RATE_LIMIT_ENABLED = "IMAGEJOBS_RATE_LIMIT_ENABLED";
  static final String MAX_IN_FLIGHT = "IMAGEJOBS_GENERATION_MAX_IN_FLIGHT";
  static final String ADMISSION_MAX_QUEUED = "IMAGEJOBS_ADMISSION_MAX_QUEUED_PER_TENANT";

  /** Process names in {@link RunningStack#processIds()}. */
  static final String GATEWAY = "gateway-service";
  static final String POSTGRES = "postgres";
  static final String KAFKA = "kafka";

  /**
   * What every benchmark stack runs with unless a scenario overrides it: one tenant submits
   * everything, so its rate limit would only measure itself; the local provider hands out a small
   * pre-rendered image per aspect ratio (code without that mode ignores the setting and draws), so
   * the machine measures the pipeline rather than a PNG encoder.
   */
  static final Map<String, String> BASELINE = Map.of(
      RATE_LIMIT_ENABLED, "false",
      LOCAL_MODE, "prerendered",
      LOCAL_LONG_SIDE, "256",
      LOCAL_LATENCY, "0ms");

  private static final Logger LOG = LoggerFactory.getLogger(BenchmarkStack.class);
  private static final List<String> POSTGRES_SETTINGS =
      List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers", "max_connections");

  private final RunningStack stack;
  private final Map<String, String> variables;
  private final Map<String, String> serviceEnvironment;
  private final Path stateDir;
  private final boolean keepState;
  private final GatewayClient gateway;
  private final JsonMapper json;
  private final Instant startedAt;
  private final Duration startupTime;
  private final AtomicLong jobsAccepted = new AtomicLong();
  private volatile String warmUp = "none";
  private Map<String, String> facts;

  private BenchmarkStack(RunningStack stack, Map<String, String> variables, Map<String, String> serviceEnvironment,
      Path stateDir, boolean keepState, JsonMapper json, Instant startedAt, Duration startupTime) {
    this.stack = stack;
    this.variables = variables;
    this.serviceEnvironment = Map.copyOf(serviceEnvironment);
    this.stateDir = stateDir;
    this.keepState = keepState;
    this.json = json;
    this.startedAt = startedAt;
    this.startupTime = startupTime;
    this.gateway = new GatewayClient(stack.gatewayUrl(), stack.devToken(), json);
  }

  /**
   * Starts a stack; returns once every service is UP.
   *
   * @param label names the temporary state directory
   * @param overrides the scenario's service settings, on top of {@link #BASELINE}
   * @param launcherEnvironment the benchmark's own environment: variables it does not set reach the services
   */
  static BenchmarkStack start(String label, Map<String, String> overrides, Path home,
      Map<String, String> launcherEnvironment, boolean keepState, JsonMapper json) {
    Path state;
    try {
      state = Files.createTempDirectory("image-jobs-benchmark-" + label + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a state directory", e);
    }
    Map<String, String> variables = new LinkedHashMap<>(BASELINE);
    variables.putAll(overrides);
    Map<String, String> environment = new HashMap<>(launcherEnvironment);
    environment.putAll(variables);
    environment.put(StackSettings.STATE_DIR, state.toString());
    for (String port : List.of(StackSettings.GATEWAY_PORT, StackSettings.GENERATION_PORT, StackSettings.UPLOAD_PORT,
        StackSettings.STREAMS_PORT, StackSettings.WEBHOOKS_PORT, StackSettings.KAFKA_PORT, StackSettings.KAFKA_CONTROLLER_PORT,
        StackSettings.POSTGRES_PORT)) {
      environment.put(port, "0");
    }
    String jvmOptions = launcherEnvironment.getOrDefault(StackSettings.SERVICE_JVM_OPTS,
        StackSettings.DEPLOYMENT_SERVICE_JVM_OPTS);
    // Heap after GC per service, for the memory figures; the placeholder becomes each service's name.
    environment.put(StackSettings.SERVICE_JVM_OPTS, jvmOptions + " -Xlog:gc:file="
        + state.resolve("logs").resolve(StackSettings.SERVICE_NAME_PLACEHOLDER + "-gc.log"));
    LOG.info("Starting a fresh stack for {} in {} ({})", label, state, variables);
    Instant started = Instant.now();
    try {
      RunningStack stack = LocalStack.start(StackSettings.fromEnvironment(environment, home));
      Duration startup = Duration.between(started, Instant.now());
      LOG.info("Stack for {} up in {} s", label, startup.toSeconds());
      return new BenchmarkStack(stack, variables, environment, state, keepState, json, started, startup);
    } catch (RuntimeException e) {
      deleteQuietly(state, keepState);
      throw e;
    }
  }

  GatewayClient gateway() {
    return gateway;
  }

  String gatewayUrl() {
    return stack.gatewayUrl();
  }

  String token() {
    return stack.devToken();
  }

  /** The stack's database with timeouts, so no query of the benchmark can wait forever. */
  String jdbcUrl() {
    return stack.jdbcUrl() + (stack.jdbcUrl().contains("?") ? "&" : "?") + "connectTimeout=10&socketTimeout=120";
  }

  String bootstrapServers() {
    return stack.bootstrapServers();
  }

  RunningStack running() {
    return stack;
  }

  int postgresPort() {
    return stack.settings().postgresPort();
  }

  Map<String, Long> processIds() {
    return stack.processIds();
  }

  Path stateDir() {
    return stateDir;
  }

  GcLog gcLog(String service) {
    return new GcLog(stack.logDir().resolve(service + "-gc.log"));
  }

  /** The service JVM options, exactly as the services were started. */
  List<String> jvmOptions() {
    return stack.settings().serviceJvmOptions();
  }

  /** Jobs the benchmark has had accepted on this stack so far, by any scenario. */
  /** How the stack was warmed up before its first scenario, as reported with every figure. */
  String warmUp() {
    return warmUp;
  }

  void warmedUp(String description) {
    this.warmUp = description;
  }

  AtomicLong jobsAccepted() {
    return jobsAccepted;
  }

  /**
   * A service setting as the services got it: the scenario's value, else the benchmark's
   * environment's; empty when neither sets it (the service's default applies).
   */
  Optional<String> serviceSetting(String variable) {
    return Optional.ofNullable(serviceEnvironment.get(variable));
  }

  /** Provider latency the stack runs with (the local provider's simulated generation time). */
  Duration providerLatency() {
    return BenchmarkOptions.parseDuration(variables.getOrDefault(LOCAL_LATENCY, "0ms"));
  }

  /**
   * The settings the figures of this stack were measured with, as the servers report them where
   * they can: the JDK and JVM flags of the services, PostgreSQL's durability settings ({@code SHOW}),
   * the lifecycle topic's partitions, and the services' settings the benchmark chose.
   */
  synchronized Map<String, String> facts() {
    if (facts != null) {
      return facts;
    }
    Map<String, String> described = new LinkedHashMap<>();
    described.put("services JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    described.put("services JVM flags", String.join(" ", jvmOptions()));
    try (Connection connection = DriverManager.getConnection(jdbcUrl()); Statement statement = connection.createStatement()) {
      for (String setting : POSTGRES_SETTINGS) {
        try (ResultSet row = statement.executeQuery("SHOW " + setting)) {
          row.next();
          described.put("PostgreSQL " + setting, row.getString(1));
        }
      }
      try (ResultSet row = statement.executeQuery("SELECT version()")) {
        row.next();
        described.put("PostgreSQL version", row.getString(1).split(",")[0]);
      }
    } catch (SQLException e) {
      described.put("PostgreSQL settings", "unreadable: " + e.getMessage());
    }
    try (KafkaTopics topics = new KafkaTopics(bootstrapServers())) {
      described.put("Kafka partitions (" + Topics.LIFECYCLE.name() + ")",
          Integer.toString(topics.partitions(Topics.LIFECYCLE.name())));
    } catch (RuntimeException e) {
      described.put("Kafka partitions", "unreadable: " + e.getMessage());
    }
    described.put("provider", "local, mode " + variables.get(LOCAL_MODE) + ", long side " + variables.get(LOCAL_LONG_SIDE)
        + " px, latency " + variables.get(LOCAL_LATENCY));
    described.put("generation max in flight", variables.getOrDefault(MAX_IN_FLIGHT, "32 (default)"));
    described.put("per-tenant rate limit", "false".equals(variables.get(RATE_LIMIT_ENABLED)) ? "off" : "on");
    variables.forEach((name, value) -> {
      if (!BASELINE.containsKey(name) && !name.equals(MAX_IN_FLIGHT)) {
        described.put(name, value);
      }
    });
    described.put("stack start-up (excluded)", startupTime.toSeconds() + " s");
    facts = described;
    return facts;
  }

  /**
   * Waits until every job created on this stack has ended (by the gateway's statistics), at most
   * {@code timeout}; returns how many had not.
   */
  long awaitAllJobsEnded(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long unfinished = unfinishedJobs();
    while (unfinished > 0 && System.nanoTime() < deadline) {
      Waits.sleep(Duration.ofSeconds(1));
      unfinished = unfinishedJobs();
    }
    return unfinished;
  }

  /** Jobs created on this stack that have not ended yet. */
  long unfinishedJobs() {
    JsonNode stats = gateway.getJson(GatewayClient.STATS + "?since=" + startedAt.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS),
        Duration.ofSeconds(60));
    long unfinished = 0;
    for (JsonNode status : stats.path("byStatus")) {
      boolean terminal = JobStatus.fromWireName(status.path("status").asString()).map(JobStatus::isTerminal).orElse(false);
      if (!terminal) {
        unfinished += status.path("jobs").asLong();
      }
    }
    return unfinished;
  }

  @Override
  public void close() {
    try {
      gateway.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing the gateway client: {}", e.getMessage());
    }
    stack.close();
    deleteQuietly(stateDir, keepState);
  }

  private static void deleteQuietly(Path root, boolean keep) {
    if (keep) {
      LOG.info("State kept in {}", root);
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", root, e.getMessage());
    }
  }
}
