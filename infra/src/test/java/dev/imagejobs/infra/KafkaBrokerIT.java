package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.TopicSettings;
import dev.imagejobs.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker of the local stack: a real KRaft process from {@code kafka-lib/}, restarted on its own data. */
class KafkaBrokerIT {

  private static final Path KAFKA_LIB = Path.of(System.getProperty("imagejobs.local-stack.home"), "kafka-lib");
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path stateDir;

  @Test
  void keepsItsClusterIdTopicsAndRecordsWhenRestartedOnOtherPorts() throws Exception {
    // Given a broker on a fresh state directory with the declared topics and one lifecycle record
    StateDirectory state = new StateDirectory(stateDir);
    String clusterId;
    try (KafkaBroker broker = startOnFreePorts(state)) {
      clusterId = broker.clusterId();
      try (Admin admin = admin(broker)) {
        admin.createTopics(Topics.newTopics(TopicSettings.local(), TopicNames.UNPREFIXED)).all().get();
      }
      try (KafkaProducer<String, String> producer = producer(broker)) {
        producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), "job-1", "requested")).get();
      }
    }

    // When it is stopped and started again on the same directory, on other ports
    try (KafkaBroker broker = startOnFreePorts(state)) {

      // Then it is the same cluster, the record is still there, and undeclared topics are refused
      assertThat(broker.clusterId()).isEqualTo(clusterId);
      assertThat(readAll(broker, Topics.LIFECYCLE.name())).containsExactly("job-1=requested");
      try (KafkaProducer<String, String> producer = producer(broker)) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("undeclared-topic", "k", "v")).get())
            .isInstanceOf(ExecutionException.class)
            .hasMessageContaining("undeclared-topic");
      }
    }
  }

  @Test
  void stopsABrokerThatAKilledLauncherLeftRunning() {
    // Given a broker whose launcher went away without stopping it
    StateDirectory state = new StateDirectory(stateDir);
    KafkaBroker leftover = startOnFreePorts(state);

    // When a new launcher starts the broker on the same state directory
    try (KafkaBroker broker = startOnFreePorts(state)) {

      // Then the leftover process is gone and the new broker serves the same cluster
      assertThat(leftover.process().isAlive()).isFalse();
      assertThat(broker.clusterId()).isEqualTo(leftover.clusterId());
    }
  }

  private static KafkaBroker startOnFreePorts(StateDirectory state) {
    int[] ports = FreePorts.resolve(0, 0);
    return KafkaBroker.start(KAFKA_LIB, state, ports[0], ports[1], TIMEOUT);
  }

  private static Admin admin(KafkaBroker broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private static KafkaProducer<String, String> producer(KafkaBroker broker) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000,
        ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(KafkaBroker broker, String topic) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
        new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<String> records = new ArrayList<>();
      await("all of " + topic).atMost(TIMEOUT).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> records.add(record.key() + "=" + record.value()));
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= end.get(partition));
      });
      return records;
    }
  }
}
