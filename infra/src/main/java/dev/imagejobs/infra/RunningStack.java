package dev.imagejobs.infra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started local stack. {@link #close()} stops the services, then Kafka, then PostgreSQL; it also
 * runs from a JVM shutdown hook (Ctrl-C), and stops whatever had started when start-up fails.
 */
public final class RunningStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunningStack.class);

  private final StackSettings settings;
  private final StateDirectory state;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Thread shutdownHook = new Thread(this::close, "local-stack-shutdown");
  private final List<ServiceProcess> services = new ArrayList<>();
  private PostgresServer postgres;
  private KafkaBroker kafka;
  private boolean closed;
  private String devToken;
  private String operatorToken;

  RunningStack(StackSettings settings, FileChannel lockChannel, FileLock lock) {
    this.settings = settings;
    this.state = new StateDirectory(settings.stateDir());
    this.lockChannel = lockChannel;
    this.lock = lock;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Base URL of gateway-service, e.g. {@code http://localhost:8080}. */
  public String gatewayUrl() {
    return "http://localhost:" + settings.gatewayPort();
  }

  /** Base URL of each gateway instance by its process name, the first one first. */
  public synchronized Map<String, String> gatewayUrls() {
    Map<String, String> urls = new LinkedHashMap<>();
    services.stream().filter(service -> service.service() == ServiceProcess.Service.GATEWAY)
        .forEach(service -> urls.put(service.process().name(), service.baseUrl()));
    return urls;
  }

  /**
   * A bearer token for the gateway, signed with the stack's JWT secret for the development tenant,
   * or {@code null} when the gateway validates tokens against a JWKS URL instead.
   */
  public String devToken() {
    return devToken;
  }

  void devToken(String token) {
    this.devToken = token;
  }

  /**
   * A bearer token with the operator role (the operator dashboard, the gateway's metrics), or
   * {@code null} when the gateway validates tokens against a JWKS URL or reads its claims elsewhere.
   */
  public String operatorToken() {
    return operatorToken;
  }

  void operatorToken(String token) {
    this.operatorToken = token;
  }

  /** Kafka bootstrap servers, e.g. {@code localhost:9092}. */
  public String bootstrapServers() {
    return KafkaBroker.bootstrapServers(settings.kafkaPort());
  }

  /**
   * Stops the broker (SIGTERM) while every other process keeps running, as an outage of Kafka
   * would; {@link #startKafka()} brings it back on the same port with every record it had.
   */
  synchronized void stopKafka() {
    if (kafka != null) {
      LOG.info("Stopping Kafka; the services keep running");
      kafka.close();
      kafka = null;
    }
  }

  /** Starts the broker again after {@link #stopKafka()}. */
  synchronized void startKafka() {
    if (closed) {
      throw new IllegalStateException("The local stack is stopped");
    }
    if (kafka == null) {
      kafka = KafkaBroker.start(settings.kafkaLib(), state, settings.kafkaPort(), settings.kafkaControllerPort(),
          settings.startupTimeout());
    }
  }

  /** JDBC URL of the {@code imagejobs} database, user included. */
  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  public Path stateDir() {
    return state.root();
  }

  public Path logDir() {
    return state.logs();
  }

  /**
   * Process ids of the running parts, in start order: {@code postgres} (the postmaster; its backends
   * are its children), {@code kafka} and each service by its name ({@code gateway-service}, ...).
   * For measuring them from outside (CPU time, resident memory, profiles).
   */
  public synchronized Map<String, Long> processIds() {
    Map<String, Long> pids = new LinkedHashMap<>();
    if (postgres != null) {
      postgres.pid().ifPresent(pid -> pids.put("postgres", pid));
    }
    if (kafka != null) {
      pids.put(kafka.process().name(), kafka.process().pid());
    }
    services.forEach(service -> pids.put(service.process().name(), service.process().pid()));
    return pids;
  }

  /** The settings the stack runs with, every port resolved. */
  public StackSettings settings() {
    return settings;
  }

  // A part that finishes starting after close() (Ctrl-C during start-up) is stopped at once, not left running.

  synchronized void postgres(PostgresServer server) {
    if (closed) {
      server.close();
      throw stoppedWhileStarting();
    }
    this.postgres = server;
  }

  synchronized void kafka(KafkaBroker broker) {
    if (closed) {
      broker.close();
      throw stoppedWhileStarting();
    }
    this.kafka = broker;
  }

  synchronized void service(ServiceProcess service) {
    if (closed) {
      service.process().stop(ServiceProcess.STOP_GRACE);
      throw stoppedWhileStarting();
    }
    services.add(service);
  }

  synchronized List<ServiceProcess> services() {
    return List.copyOf(services);
  }

  synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!services.isEmpty()) {
      LOG.info("Stopping {}", services.stream().map(service -> service.process().name()).toList());
      // SIGTERM to all first: they shut down in parallel, each within its grace period.
      services.forEach(service -> service.process().requestStop());
      services.forEach(service -> service.process().stop(ServiceProcess.STOP_GRACE));
    }
    if (kafka != null) {
      LOG.info("Stopping Kafka");
      kafka.close();
    }
    if (postgres != null) {
      LOG.info("Stopping PostgreSQL");
      postgres.close();
    }
    releaseLock();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: this is the hook.
    }
    LOG.info("Local stack stopped; state kept in {}", state.root());
  }

  private static IllegalStateException stoppedWhileStarting() {
    return new IllegalStateException("The local stack was stopped while starting");
  }

  private void releaseLock() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("Cannot release {}: {}", state.lockFile(), e.getMessage());
    }
  }
}
