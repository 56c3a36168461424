package dev.imagejobs.messaging.testing;

import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test helper on a real broker: publishes lifecycle events (or raw bytes) and watches the lifecycle
 * and dead-letter topics from the beginning. Shipped in the messaging test-jar for every service's
 * integration tests.
 */
public final class LifecycleTopicProbe implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final LifecycleCodec codec = new LifecycleCodec();
  private final KafkaProducer<String, SpecificRecord> events;
  private final KafkaProducer<byte[], byte[]> raw;
  private final KafkaConsumer<byte[], byte[]> observer;
  private final List<ConsumerRecord<byte[], byte[]>> lifecycle = new ArrayList<>();
  private final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();

  public LifecycleTopicProbe(String bootstrapServers) {
    Map<String, Object> producer =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all");
    events = new KafkaProducer<>(producer, new StringSerializer(), new LifecycleEventSerializer());
    raw = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
    observer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.LIFECYCLE.name(), Topics.LIFECYCLE_DLQ.name())) {
      await().atMost(TIMEOUT).until(() -> !observer.partitionsFor(topic).isEmpty());
      observer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    observer.assign(partitions);
    observer.seekToBeginning(partitions);
  }

  /** Publishes an event keyed by its job id, with CloudEvents headers, and waits for the ack. */
  public void publish(SpecificRecord event) {
    acknowledged(events.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), LifecycleEvent.of(event).jobId(), event)));
  }

  /** Publishes raw bytes with the given headers (e.g. garbage, to test the dead-letter path). */
  public void publishRaw(String key, byte[] value, Headers headers) {
    acknowledged(raw.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), null, key == null ? null : key.getBytes(), value, headers)));
  }

  /** Decoded events of one job on the lifecycle topic, in offset order. */
  public synchronized List<LifecycleEvent> eventsOf(String jobId) {
    poll();
    List<LifecycleEvent> found = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : lifecycle) {
      if (record.key() != null && jobId.equals(new String(record.key()))) {
        found.add(codec.decode(record.value()));
      }
    }
    return found;
  }

  /**
   * Decoded events of every job so far, by job id, in offset order; one poll for all of them.
   * Records that do not decode (the poison of dead-letter tests) are left out.
   */
  public synchronized Map<String, List<LifecycleEvent>> eventsByJob() {
    poll();
    Map<String, List<LifecycleEvent>> byJob = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : lifecycle) {
      if (record.key() == null) {
        continue;
      }
      try {
        LifecycleEvent event = codec.decode(record.value());
        byJob.computeIfAbsent(new String(record.key()), key -> new ArrayList<>()).add(event);
      } catch (UndecodableEventException e) {
        // Not an event of any job.
      }
    }
    return byJob;
  }

  /** Waits until the job's events satisfy {@code condition} and returns them. */
  public List<LifecycleEvent> awaitEventsOf(String jobId, Predicate<List<LifecycleEvent>> condition) {
    return await().atMost(TIMEOUT).until(() -> eventsOf(jobId), condition);
  }

  /** Records on the dead-letter topic so far. */
  public synchronized List<ConsumerRecord<byte[], byte[]>> deadLetters() {
    poll();
    return List.copyOf(deadLetters);
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> record : observer.poll(Duration.ofMillis(200))) {
      (record.topic().equals(Topics.LIFECYCLE.name()) ? lifecycle : deadLetters).add(record);
    }
  }

  private static void acknowledged(java.util.concurrent.Future<?> send) {
    try {
      send.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public synchronized void close() {
    events.close();
    raw.close();
    observer.close();
  }
}
