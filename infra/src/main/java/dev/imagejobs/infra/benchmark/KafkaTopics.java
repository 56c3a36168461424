package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark's view of the stack's broker: partitions and end offsets of a topic (records
 * written between two readings, without consuming them), and scratch topics for the ceilings.
 */
final class KafkaTopics implements AutoCloseable {

  private static final long TIMEOUT_SECONDS = 30;

  private final Admin admin;

  KafkaTopics(String bootstrapServers) {
    Properties properties = new Properties();
    properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    this.admin = Admin.create(properties);
  }

  int partitions(String topic) {
    TopicDescription description = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    return description.partitions().size();
  }

  /** Sum of the end offsets of every partition: records ever written to {@code topic}. */
  long endOffsetSum(String topic) {
    int partitions = partitions(topic);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
    }
    return get(admin.listOffsets(latest).all()).values().stream().mapToLong(info -> info.offset()).sum();
  }

  void create(String topic, int partitions) {
    get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all());
  }

  void delete(String topic) {
    get(admin.deleteTopics(List.of(topic)).all());
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(10));
  }

  private static <T> T get(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka admin request failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka admin request took longer than " + TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
