package dev.imagejobs.gateway.testing;

import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka broker for every integration test of the JVM: an in-process KRaft broker from the
 * Kafka artifacts, or a Kafka container in the Testcontainers variant ({@link TestInfrastructure}).
 * Topics are created by the gateway itself: the broker creates none on its own.
 */
public final class TestKafka {
  static final String IMAGE = "apache/kafka:4.2.1";

  private static EmbeddedKafkaKraftBroker embedded;
  private static KafkaContainer container;
  private static String bootstrapServers;

  private TestKafka() {}

  /** The broker's address, starting it on first use. */
  public static synchronized String bootstrapServers() {
    if (bootstrapServers == null) {
      if (TestInfrastructure.containers()) {
        KafkaContainer started = new KafkaContainer(IMAGE)
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        started.start();
        container = started;
        bootstrapServers = started.getBootstrapServers();
      } else {
        EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 2);
        started.brokerProperties(Map.of("auto.create.topics.enable", "false", "group.initial.rebalance.delay.ms", "0"));
        started.afterPropertiesSet();
        embedded = started;
        bootstrapServers = started.getBrokersAsString();
      }
    }
    return bootstrapServers;
  }

  static synchronized void shutDown() {
    if (container != null) {
      container.stop();
      container = null;
    }
    if (embedded != null) {
      embedded.destroy();
      embedded = null;
    }
    bootstrapServers = null;
  }
}
