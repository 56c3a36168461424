package dev.imagejobs.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) run from
 * {@code kafka-lib/} with its data under {@code <state>/kafka}. The storage is formatted once; a
 * later start reuses the cluster id and every record.
 */
final class KafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final String NAME = "kafka";

  private final ChildProcess process;
  private final String bootstrapServers;
  private final String clusterId;

  private KafkaBroker(ChildProcess process, String bootstrapServers, String clusterId) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
  }

  /**
   * Formats the storage under {@code <state>/kafka} unless a previous start did, starts the broker
   * and waits until it answers a describe-cluster request.
   *
   * @param kafkaLib directory of the broker's jars
   */
  static KafkaBroker start(Path kafkaLib, StateDirectory state, int port, int controllerPort, Duration timeout) {
    requireJars(kafkaLib);
    Path dataDir = state.kafka().resolve("data");
    Path config = state.kafka().resolve("server.properties");
    Path logFile = state.log(NAME);
    Path pidFile = state.pidFile(NAME);
    String marker = state.marker();
    ChildProcess.stopLeftover(NAME, pidFile, marker, STOP_GRACE);
    writeProperties(config, serverProperties(dataDir, port, controllerPort));
    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      format(kafkaLib, config, logFile, marker, timeout);
    }
    List<String> command = java(kafkaLib, marker);
    command.add("kafka.Kafka");
    command.add(config.toString());
    String bootstrapServers = bootstrapServers(port);
    ChildProcess process = ChildProcess.start(NAME, command, Map.of(), logFile, pidFile);
    try {
      process.awaitReady("listener on port " + port, timeout, () -> accepts(port));
      AtomicReference<String> clusterId = new AtomicReference<>();
      try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
        process.awaitReady("cluster metadata", timeout, () -> {
          clusterId.set(describeCluster(admin));
          return clusterId.get() != null;
        });
      }
      LOG.info("Kafka broker up on {} (cluster {}), data in {}", bootstrapServers, clusterId.get(), dataDir);
      return new KafkaBroker(process, bootstrapServers, clusterId.get());
    } catch (RuntimeException e) {
      process.stop(STOP_GRACE);
      throw e;
    }
  }

  /** The broker configuration: one combined node, replication 1 everywhere, no topic auto-creation. */
  static Properties serverProperties(Path dataDir, int port, int controllerPort) {
    Properties properties = new Properties();
    properties.setProperty("process.roles", "broker,controller");
    properties.setProperty("node.id", "1");
    properties.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
    properties.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    properties.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
    properties.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    properties.setProperty("controller.listener.names", "CONTROLLER");
    properties.setProperty("inter.broker.listener.name", "PLAINTEXT");
    properties.setProperty("log.dirs", dataDir.toString());
    // Every topic is declared by the services (KafkaAdmin); a typo must fail, not create a topic.
    properties.setProperty("auto.create.topics.enable", "false");
    properties.setProperty("num.partitions", "1");
    properties.setProperty("default.replication.factor", "1");
    properties.setProperty("min.insync.replicas", "1");
    properties.setProperty("offsets.topic.replication.factor", "1");
    properties.setProperty("offsets.topic.num.partitions", "10");
    properties.setProperty("transaction.state.log.replication.factor", "1");
    properties.setProperty("transaction.state.log.min.isr", "1");
    properties.setProperty("transaction.state.log.num.partitions", "10");
    properties.setProperty("share.coordinator.state.topic.replication.factor", "1");
    properties.setProperty("share.coordinator.state.topic.min.isr", "1");
    // Consumers of a single local instance need not wait for more members to join.
    properties.setProperty("group.initial.rebalance.delay.ms", "0");
    return properties;
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where clients reach a broker listening on {@code port} of this machine. */
  static String bootstrapServers(int port) {
    return "localhost:" + port;
  }

  String clusterId() {
    return clusterId;
  }

  ChildProcess process() {
    return process;
  }

  /** SIGTERM: the broker shuts down cleanly, so the next start needs no log recovery. */
  @Override
  public void close() {
    process.stop(STOP_GRACE);
  }

  private static void format(Path kafkaLib, Path config, Path logFile, String marker, Duration timeout) {
    // Same id as `StorageTool random-uuid` prints, without starting a JVM for it.
    String clusterId = Uuid.randomUuid().toString();
    List<String> command = java(kafkaLib, marker);
    command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
    ChildProcess.run("kafka-storage-format", command, logFile, timeout);
    LOG.info("Formatted Kafka storage for new cluster {}", clusterId);
  }

  private static List<String> java(Path kafkaLib, String marker) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(
        "-Xms256m", "-Xmx512m",
        marker,
        "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
        "-Dorg.slf4j.simpleLogger.logFile=System.out",
        "-cp", kafkaLib.toAbsolutePath() + "/*"));
    return command;
  }

  private static void requireJars(Path kafkaLib) {
    try (var jars = Files.list(kafkaLib)) {
      if (jars.noneMatch(jar -> jar.getFileName().toString().startsWith("kafka_2.13-"))) {
        throw new IllegalStateException("No Kafka broker jar in " + kafkaLib + "; build the infra module first");
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + kafkaLib + "; build the infra module first", e);
    }
  }

  private static void writeProperties(Path file, Properties properties) {
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        properties.store(out, "Written by the local stack at every start; edits are overwritten");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  private static Properties adminProperties(String bootstrapServers) {
    Properties properties = new Properties();
    properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    return properties;
  }

  private static String describeCluster(Admin admin) {
    try {
      var cluster = admin.describeCluster();
      if (cluster.nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
        return null;
      }
      return cluster.clusterId().get(3, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
