package dev.imagejobs.infra;

import dev.imagejobs.infra.ServiceProcess.Service;
import dev.imagejobs.tokens.DevTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the whole system on one machine without Docker: a KRaft Kafka broker, PostgreSQL and
 * gateway-, generation-, upload- and streams-service, each its own process, all state in one directory that
 * survives restarts. {@code ./local-stack} at the repository root builds and runs it.
 */
public final class LocalStack {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private static final String USAGE = String.join(System.lineSeparator(),
      "Usage: ./local-stack",
      "Starts Kafka, PostgreSQL and the five services; Ctrl-C stops them. Settings (environment variables):",
      "  IMAGEJOBS_STATE_DIR                state directory, kept across restarts (default .local-stack)",
      "  GATEWAY_PORT, GENERATION_PORT, UPLOAD_PORT, STREAMS_PORT, WEBHOOKS_PORT",
      "                                     service ports (8080-8084; 0 = any free port)",
      "  KAFKA_PORT, KAFKA_CONTROLLER_PORT  broker ports (9092, 9093)",
      "  POSTGRES_PORT                      PostgreSQL port (5433)",
      "  IMAGEJOBS_STARTUP_TIMEOUT_SECONDS  how long each part may take to start (180)",
      "  IMAGEJOBS_SERVICE_JVM_OPTS         JVM options of the services (" + StackSettings.DEFAULT_SERVICE_JVM_OPTS + ")",
      "  IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY   use the real Gemini image model (nano-banana) instead of the local provider",
      "Every other variable (IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER, IMAGEJOBS_PROVIDERS_LOCAL_LATENCY, ...; the",
      "services' settings, docs/configuration.md) reaches the services unchanged.");

  private static final String JWT_SECRET = "IMAGEJOBS_JWT_SECRET";
  private static final String WEBHOOK_KEY = "IMAGEJOBS_WEBHOOKS_ENCRYPTION_KEY";
  static final String GEMINI_API_KEY = "IMAGEJOBS_PROVIDERS_NANO_BANANA_API_KEY";
  static final String GEMINI_MODEL = "IMAGEJOBS_PROVIDERS_NANO_BANANA_MODEL";
  static final String PROVIDER = "IMAGEJOBS_JOBS_PROVIDER";
  static final String MODEL = "IMAGEJOBS_JOBS_MODEL";
  /** The launcher's own settings ({@link StackSettings}): the services have none of these names. */
  private static final List<String> LAUNCHER_SETTINGS = List.of(StackSettings.STATE_DIR, StackSettings.GATEWAY_PORT,
      StackSettings.GENERATION_PORT, StackSettings.UPLOAD_PORT, StackSettings.STREAMS_PORT, StackSettings.WEBHOOKS_PORT,
      StackSettings.KAFKA_PORT, StackSettings.KAFKA_CONTROLLER_PORT, StackSettings.POSTGRES_PORT, StackSettings.STARTUP_TIMEOUT_SECONDS,
      StackSettings.SERVICE_JVM_OPTS);
  static final String NANO_BANANA = "nano-banana";
  static final String DEFAULT_GEMINI_MODEL = "gemini-2.5-flash-image";
  private static final String DEV_TENANT = "local";
  private static final Duration DEV_TOKEN_TTL = Duration.ofDays(30);

  private LocalStack() {}

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0) {
      boolean help = args[0].equals("--help") || args[0].equals("-h");
      if (help) {
        LOG.info(USAGE);
      } else {
        LOG.error("Unknown argument '{}'{}{}", args[0], System.lineSeparator(), USAGE);
      }
      System.exit(help ? 0 : 2);
    }
    RunningStack stack;
    try {
      stack = start(StackSettings.fromEnvironment(System.getenv(), defaultHome()));
    } catch (RuntimeException e) {
      LOG.error("The local stack did not start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info(banner(stack));
    // Runs until Ctrl-C; the stack's shutdown hook then stops every process.
    new CountDownLatch(1).await();
  }

  /**
   * Starts PostgreSQL and Kafka (in parallel), then the four services, and returns once every
   * service reports UP. On failure everything already started is stopped again.
   *
   * @throws IllegalStateException naming the log file to read when a part does not come up
   */
  public static RunningStack start(StackSettings requested) {
    return start(requested, ServiceProcess.JAR);
  }

  /** {@link #start(StackSettings)}, each service started as {@code launch} says. */
  static RunningStack start(StackSettings requested, ServiceProcess.Launch launch) {
    return start(requested, launch, 1);
  }

  /**
   * {@link #start(StackSettings)} with {@code instances} processes of each service, as a deployment
   * scaled out runs them: the first on the configured port, the others on free ones, each streams
   * instance with a state directory of its own.
   */
  public static RunningStack start(StackSettings requested, int instances) {
    return start(requested, ServiceProcess.JAR, instances);
  }

  static RunningStack start(StackSettings requested, ServiceProcess.Launch launch, int instances) {
    if (instances < 1 || instances > ServiceProcess.MAX_INSTANCES) {
      throw new IllegalArgumentException("Between 1 and " + ServiceProcess.MAX_INSTANCES + " instances per service");
    }
    Instant started = Instant.now();
    requireDistribution(requested.home());
    StackSettings settings = requested.withFreePorts();
    StateDirectory state = new StateDirectory(settings.stateDir());
    RunningStack stack = lock(settings, state);
    try {
      for (Service service : Service.values()) {
        for (int instance = 1; instance <= ServiceProcess.MAX_INSTANCES; instance++) {
          ServiceProcess.stopLeftover(service, instance, state);
        }
      }
      startInfrastructure(stack, settings, state);
      Map<String, String> environment = serviceEnvironment(stack, settings, state);
      stack.devToken(devToken(environment));
      stack.operatorToken(operatorToken(environment));
      for (Service service : Service.values()) {
        for (int instance = 1; instance <= instances; instance++) {
          int port = instance == 1 ? port(settings, service) : FreePorts.resolve(0)[0];
          Map<String, String> own = new HashMap<>(environment);
          if (instance > 1) {
            own.put("IMAGEJOBS_STREAMS_STATE_DIR", state.root().resolve("streams-state-" + instance).toString());
          }
          stack.service(ServiceProcess.start(service, instance, port, settings, own, launch));
        }
      }
      // All were started before waiting for any: they boot in parallel.
      for (ServiceProcess service : stack.services()) {
        service.awaitHealthy(settings.startupTimeout());
        LOG.info("{} is UP on {}", service.process().name(), service.baseUrl());
      }
      LOG.info("Local stack up in {} s", Duration.between(started, Instant.now()).toSeconds());
      return stack;
    } catch (RuntimeException e) {
      if (stack.isClosed()) {
        throw new IllegalStateException("Stopped before the stack was up", e);
      }
      stack.close();
      throw e;
    }
  }

  /**
   * With a Gemini key and no explicit {@code IMAGEJOBS_JOBS_PROVIDER}, the gateway sends jobs to the real
   * model ({@code nano-banana}, model {@code IMAGEJOBS_PROVIDERS_NANO_BANANA_MODEL} or the default) instead of
   * the local painter; otherwise the environment is left as it is.
   */
  static void selectProvider(Map<String, String> environment) {
    if (!isBlank(environment.get(GEMINI_API_KEY)) && isBlank(environment.get(PROVIDER))) {
      environment.put(PROVIDER, NANO_BANANA);
      if (isBlank(environment.get(MODEL))) {
        String model = environment.get(GEMINI_MODEL);
        environment.put(MODEL, isBlank(model) ? DEFAULT_GEMINI_MODEL : model);
      }
    }
  }

  /** What to open, run and read once the stack is up. */
  static String banner(RunningStack stack) {
    String gateway = stack.gatewayUrl();
    String token = stack.devToken();
    String auth = token == null ? "" : " -H \"Authorization: Bearer $TOKEN\"";
    String n = System.lineSeparator();
    return n
        + "==================== Image Jobs local stack is up ====================" + n
        + "  Web page     " + gateway + "/" + (token == null ? "" : "?token=" + token) + n
        + (stack.operatorToken() == null ? ""
            : "  Operations   " + gateway + "/operator.html?token=" + stack.operatorToken() + n)
        + "  Gateway      " + gateway + "   (API docs: " + gateway + "/v3/api-docs)" + n
        + (token == null ? "" : "  Dev token    export TOKEN=" + token + n)
        + "  Submit a job curl -si -X POST " + gateway + "/api/v1/images/jobs" + auth + " \\" + n
        + "                 -H 'Content-Type: application/json' -d '{\"jobType\":\"ASSET_IMAGE_KEY\",\"projectId\":\"demo\","
        + "\"branchId\":\"main\",\"assetId\":\"hero\",\"prompt\":\"A lighthouse at dawn, watercolour\","
        + "\"aspectRatio\":\"16:9\"}'" + n
        + "  Follow it    curl -N" + auth + " " + gateway + "/api/v1/images/jobs/<jobId>/events" + n
        + "  Kafka        " + stack.bootstrapServers() + n
        + "  PostgreSQL   " + stack.jdbcUrl() + n
        + "  Logs         " + stack.logDir() + n
        + "  State        " + stack.stateDir() + "   (delete it to start from scratch)" + n
        + "  Stop         Ctrl-C" + n
        + "======================================================================";
  }

  public static Path defaultHome() {
    try {
      // Next to the launcher jar (target/local-stack.jar) or its classes (target/classes): target/local-stack.
      Path location = Path.of(LocalStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.getParent().resolve("local-stack");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate the launcher", e);
    }
  }

  /** Fails before anything starts when the build output the stack runs from is incomplete. */
  private static void requireDistribution(Path home) {
    List<Path> missing = new ArrayList<>();
    if (!Files.isDirectory(StackSettings.kafkaLib(home))) {
      missing.add(StackSettings.kafkaLib(home));
    }
    for (Service service : Service.values()) {
      if (!Files.isRegularFile(service.jar(home))) {
        missing.add(service.jar(home));
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("Missing " + missing + "; build the project first: ./mvnw -DskipTests install");
    }
  }

  private static RunningStack lock(StackSettings settings, StateDirectory state) {
    try {
      Files.createDirectories(state.root());
      FileChannel channel = FileChannel.open(state.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException("Another local stack is running on " + state.root()
            + "; stop it or set IMAGEJOBS_STATE_DIR to another directory");
      }
      return new RunningStack(settings, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot use state directory " + state.root(), e);
    }
  }

  private static void startInfrastructure(RunningStack stack, StackSettings settings, StateDirectory state) {
    Duration timeout = settings.startupTimeout();
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<PostgresServer> postgres = CompletableFuture.supplyAsync(
          () -> PostgresServer.start(state, settings.postgresPort(), timeout), executor);
      CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(
          () -> KafkaBroker.start(settings.kafkaLib(), state, settings.kafkaPort(), settings.kafkaControllerPort(), timeout),
          executor);
      // Both are joined before failing, so the one that did start is registered and stopped again.
      RuntimeException failure = register(() -> stack.postgres(postgres.join()), null);
      failure = register(() -> stack.kafka(kafka.join()), failure);
      if (failure != null) {
        throw failure;
      }
    } finally {
      executor.shutdown();
    }
  }

  private static RuntimeException register(Runnable registration, RuntimeException earlier) {
    try {
      registration.run();
      return earlier;
    } catch (RuntimeException e) {
      RuntimeException failure = e instanceof CompletionException && e.getCause() instanceof RuntimeException cause
          ? cause : e;
      if (earlier != null) {
        earlier.addSuppressed(failure);
        return earlier;
      }
      return failure;
    }
  }

  /**
   * The wiring of the runtime contract, the same for every service (each gets its own port from
   * {@link ServiceProcess#start}, and only the gateway reads PostgreSQL's): the user's variables come
   * first and lose, and the launcher's own settings (a {@code 0} port among them) never reach a service.
   */
  private static Map<String, String> serviceEnvironment(RunningStack stack, StackSettings settings, StateDirectory state) {
    Map<String, String> environment = new HashMap<>(settings.environment());
    LAUNCHER_SETTINGS.forEach(environment::remove);
    environment.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
    environment.put("IMAGEJOBS_STORAGE_DIR", state.storage().toString());
    environment.put("IMAGEJOBS_STREAMS_STATE_DIR", state.root().resolve("streams-state").toString());
    environment.put("IMAGEJOBS_DATABASE_HOST", "localhost");
    environment.put("IMAGEJOBS_DATABASE_PORT", Integer.toString(settings.postgresPort()));
    environment.put("IMAGEJOBS_DATABASE_NAME", PostgresServer.DATABASE);
    environment.put("IMAGEJOBS_DATABASE_USERNAME", PostgresServer.USER);
    environment.put("IMAGEJOBS_DATABASE_PASSWORD", "");
    selectProvider(environment);
    // Webhooks: a key of the stack's own, kept with its state so registered endpoints' secrets stay
    // readable across restarts, and receivers on this machine allowed.
    environment.putIfAbsent(WEBHOOK_KEY, webhookKey(state));
    environment.putIfAbsent("IMAGEJOBS_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");
    environment.putIfAbsent("IMAGEJOBS_WEBHOOKS_ALLOW_HTTP", "true");
    // The gateway requires a token configuration; locally it is the documented development secret
    // unless the user brings a secret or a JWKS URL of their own.
    if (isBlank(environment.get(JWT_SECRET)) && isBlank(environment.get("IMAGEJOBS_JWT_JWKS_URI"))) {
      environment.put(JWT_SECRET, DevTokens.LOCAL_SECRET);
      environment.put("IMAGEJOBS_JWT_ALLOW_DEV_SECRET", "true");
    }
    return environment;
  }

  /** The stack's webhook encryption key: made on first start, then read from the state directory. */
  private static String webhookKey(StateDirectory state) {
    Path file = state.root().resolve("webhook-encryption-key");
    try {
      if (!Files.exists(file)) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(file, Base64.getEncoder().encodeToString(key));
      }
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the webhook key in " + file, e);
    }
  }

  /**
   * The development token: signed with the JWT secret the gateway runs with, for the tenant named by
   * {@code IMAGEJOBS_JWT_DEV_TOKEN_TENANT} (default {@code local}); none when a JWKS URL is configured.
   */
  private static String devToken(Map<String, String> environment) {
    String secret = environment.get(JWT_SECRET);
    if (secret == null || secret.isBlank()) {
      return null;
    }
    String tenant = environment.getOrDefault("IMAGEJOBS_JWT_DEV_TOKEN_TENANT", DEV_TENANT);
    return DevTokens.mint(secret, environment.getOrDefault("IMAGEJOBS_JWT_TENANT_CLAIM", DevTokens.DEFAULT_TENANT_CLAIM),
        tenant, DEV_TOKEN_TTL, Instant.now());
  }

  /** An operator's token, when the gateway reads the default claims and verifies with the stack's secret. */
  private static String operatorToken(Map<String, String> environment) {
    String secret = environment.get(JWT_SECRET);
    if (isBlank(secret) || !isBlank(environment.get("IMAGEJOBS_JWT_TENANT_CLAIM"))
        || !isBlank(environment.get("IMAGEJOBS_JWT_ROLES_CLAIM")) || !isBlank(environment.get("IMAGEJOBS_JWT_OPERATOR_ROLE"))) {
      return null;
    }
    return DevTokens.mintOperator(secret, "operations", DEV_TOKEN_TTL);
  }

  private static int port(StackSettings settings, Service service) {
    return switch (service) {
      case GATEWAY -> settings.gatewayPort();
      case GENERATION -> settings.generationPort();
      case UPLOAD -> settings.uploadPort();
      case STREAMS -> settings.streamsPort();
      case WEBHOOKS -> settings.webhooksPort();
    };
  }
}
