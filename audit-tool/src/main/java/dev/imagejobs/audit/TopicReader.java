package dev.imagejobs.audit;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.UndecodableEventException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the lifecycle topic from offset 0 up to the end offsets seen when it starts, without a
 * consumer group (assign, never commit): the audit leaves no trace on the cluster.
 */
final class TopicReader {

  /** One record of the topic: decoded, or why it could not be. */
  record Entry(int partition, long offset, LifecycleEvent event, String undecodableReason) {}

  private final AuditSettings settings;
  private final LifecycleCodec codec = new LifecycleCodec();

  TopicReader(AuditSettings settings) {
    this.settings = settings;
  }

  /**
   * Hands every record of the chosen partitions, in offset order per partition, to {@code sink}.
   *
   * @param onlyPartition a partition, or -1 for all
   * @return the end offsets read up to
   */
  Map<TopicPartition, Long> readAll(int onlyPartition, Consumer<Entry> sink) {
    return readPartitions(partition -> onlyPartition < 0 || partition == onlyPartition, sink);
  }

  /**
   * Hands every record of the partitions {@code chosen} accepts, in offset order per partition, to
   * {@code sink}, on the calling thread; other readers may read other partitions meanwhile.
   *
   * @return the end offsets read up to
   */
  Map<TopicPartition, Long> readPartitions(IntPredicate chosen, Consumer<Entry> sink) {
    Map<String, Object> config = consumerConfig(Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(settings.topics().lifecycle()).stream()
          .filter(info -> chosen.test(info.partition()))
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
            continue;
          }
          sink.accept(decode(record));
        }
      }
      return end;
    }
  }

  /**
   * The client settings (security and any other client property, as the services read them), then
   * the broker's address and {@code reading}, which win.
   */
  private Map<String, Object> consumerConfig(Map<String, Object> reading) {
    Map<String, Object> config = new HashMap<>(settings.kafkaClient());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.putAll(reading);
    return config;
  }

  /** The partition the lifecycle topic's default partitioner puts {@code jobId} in. */
  int partitionOf(String jobId) {
    byte[] key = jobId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
        % partitionCount();
  }

  /** How many partitions the lifecycle topic has. */
  int partitionCount() {
    Map<String, Object> config = consumerConfig(Map.of());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      return consumer.partitionsFor(settings.topics().lifecycle()).size();
    }
  }

  private Entry decode(ConsumerRecord<String, byte[]> record) {
    try {
      return new Entry(record.partition(), record.offset(), codec.decode(record.value()), null);
    } catch (UndecodableEventException e) {
      return new Entry(record.partition(), record.offset(), null, e.getMessage());
    }
  }
}
