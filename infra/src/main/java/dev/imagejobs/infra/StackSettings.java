package dev.imagejobs.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How to run the local stack, read from environment variables so the launcher script, an IDE
 * run configuration and the end-to-end test configure it the same way. A port of {@code 0} asks
 * for a free port at every start.
 *
 * @param stateDir the one directory holding Kafka data, PostgreSQL data, stored images and logs
 * @param home the unpacked distribution: {@code kafka-lib/} and {@code services/}
 * @param gatewayPort HTTP port of gateway-service
 * @param generationPort HTTP port of generation-service
 * @param uploadPort HTTP port of upload-service
 * @param streamsPort HTTP port of streams-service
 * @param webhooksPort HTTP port of webhook-service
 * @param kafkaPort the broker's PLAINTEXT listener
 * @param kafkaControllerPort the KRaft controller listener
 * @param postgresPort PostgreSQL's port
 * @param startupTimeout how long each part may take to become ready
 * @param serviceJvmOptions JVM options of the service processes; {@value #SERVICE_NAME_PLACEHOLDER}
 *     in an option stands for the service's name
 * @param environment variables handed to every child process on top of the launcher's own
 *     (e.g. {@code IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER}); the stack's own wiring variables win
 */
public record StackSettings(
    Path stateDir,
    Path home,
    int gatewayPort,
    int generationPort,
    int uploadPort,
    int streamsPort,
    int webhooksPort,
    int kafkaPort,
    int kafkaControllerPort,
    int postgresPort,
    Duration startupTimeout,
    List<String> serviceJvmOptions,
    Map<String, String> environment) {

  public static final String STATE_DIR = "IMAGEJOBS_STATE_DIR";
  public static final String GATEWAY_PORT = "GATEWAY_PORT";
  public static final String GENERATION_PORT = "GENERATION_PORT";
  public static final String UPLOAD_PORT = "UPLOAD_PORT";
  public static final String STREAMS_PORT = "STREAMS_PORT";
  public static final String WEBHOOKS_PORT = "WEBHOOKS_PORT";
  public static final String KAFKA_PORT = "KAFKA_PORT";
  public static final String KAFKA_CONTROLLER_PORT = "KAFKA_CONTROLLER_PORT";
  public static final String POSTGRES_PORT = "POSTGRES_PORT";
  public static final String STARTUP_TIMEOUT_SECONDS = "IMAGEJOBS_STARTUP_TIMEOUT_SECONDS";
  public static final String SERVICE_JVM_OPTS = "IMAGEJOBS_SERVICE_JVM_OPTS";

  /**
   * C1 only and the serial collector: three Spring Boot JVMs plus a broker start noticeably faster
   * on a two-core laptop, and peak throughput does not matter locally.
   */
  public static final String DEFAULT_SERVICE_JVM_OPTS = "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  /**
   * The JVM options a deployment runs the services with (full JIT, G1, a bounded heap, a clean exit
   * on heap exhaustion so the orchestrator restarts the process): what the benchmark measures, unless
   * {@code IMAGEJOBS_SERVICE_JVM_OPTS} says otherwise. Not yet tuned per service.
   */
  public static final String DEPLOYMENT_SERVICE_JVM_OPTS = "-XX:+UseG1GC -Xms128m -Xmx512m -XX:+ExitOnOutOfMemoryError";

  /**
   * Replaced by the service's name (e.g. {@code gateway-service}) in each JVM option, so one option
   * list can give every service a file of its own: {@code -Xlog:gc:file=/tmp/logs/{service}-gc.log}.
   */
  public static final String SERVICE_NAME_PLACEHOLDER = "{service}";

  public StackSettings {
    for (int port : new int[] {gatewayPort, generationPort, uploadPort, streamsPort, webhooksPort, kafkaPort, kafkaControllerPort, postgresPort}) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Port out of range: " + port);
      }
    }
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException("Startup timeout must be positive: " + startupTimeout);
    }
    stateDir = stateDir.toAbsolutePath().normalize();
    home = home.toAbsolutePath().normalize();
    serviceJvmOptions = List.copyOf(serviceJvmOptions);
    environment = Map.copyOf(environment);
  }

  /** The broker's jars in the unpacked distribution. */
  Path kafkaLib() {
    return kafkaLib(home);
  }

  /** The broker's jars in the distribution unpacked at {@code home}. */
  static Path kafkaLib(Path home) {
    return home.resolve("kafka-lib");
  }

  /**
   * Settings from environment variables: {@code IMAGEJOBS_STATE_DIR} (default {@code .local-stack}),
   * {@code GATEWAY_PORT} (8080), {@code GENERATION_PORT} (8081), {@code UPLOAD_PORT} (8082), {@code STREAMS_PORT} (8083),
   * {@code WEBHOOKS_PORT} (8084), {@code KAFKA_PORT} (9092), {@code KAFKA_CONTROLLER_PORT} (9093), {@code POSTGRES_PORT} (5433, next
   * to a system PostgreSQL on 5432), {@code IMAGEJOBS_STARTUP_TIMEOUT_SECONDS} (180) and
   * {@code IMAGEJOBS_SERVICE_JVM_OPTS}.
   */
  public static StackSettings fromEnvironment(Map<String, String> env, Path home) {
    return new StackSettings(
        Path.of(env.getOrDefault(STATE_DIR, ".local-stack")),
        home,
        port(env, GATEWAY_PORT, 8080),
        port(env, GENERATION_PORT, 8081),
        port(env, UPLOAD_PORT, 8082),
        port(env, STREAMS_PORT, 8083),
        port(env, WEBHOOKS_PORT, 8084),
        port(env, KAFKA_PORT, 9092),
        port(env, KAFKA_CONTROLLER_PORT, 9093),
        port(env, POSTGRES_PORT, 5433),
        Duration.ofSeconds(number(env, STARTUP_TIMEOUT_SECONDS, 180)),
        Arrays.stream(env.getOrDefault(SERVICE_JVM_OPTS, DEFAULT_SERVICE_JVM_OPTS).trim().split("\\s+"))
            .filter(option -> !option.isEmpty())
            .toList(),
        env);
  }

  /** These settings with every port of {@code 0} replaced by a currently free port. */
  StackSettings withFreePorts() {
    int[] ports = FreePorts.resolve(
        gatewayPort, generationPort, uploadPort, streamsPort, webhooksPort, kafkaPort, kafkaControllerPort, postgresPort);
    return new StackSettings(stateDir, home, ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6],
        ports[7], startupTimeout, serviceJvmOptions, environment);
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    long port = number(env, name, fallback);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be a port between 0 and 65535, got " + port);
    }
    return (int) port;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + value + "'", e);
    }
  }
}
