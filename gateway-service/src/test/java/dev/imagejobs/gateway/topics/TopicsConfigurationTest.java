package dev.imagejobs.gateway.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.Topics;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.test.util.ReflectionTestUtils;

class TopicsConfigurationTest {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(TopicsConfiguration.class, Properties.class);

  @Test
  void givenTopicSettingsThenEveryCatalogueTopicIsDeclaredWithThem() {
    context.withPropertyValues(
            "imagejobs.topics.partitions=12",
            "imagejobs.topics.dlq-partitions=2",
            "imagejobs.topics.replication-factor=3",
            "imagejobs.topics.min-insync-replicas=2",
            "imagejobs.topics.lifecycle-retention-ms=-1",
            "imagejobs.topics.completed-retention-ms=604800000",
            "imagejobs.topics.dlq-retention-ms=2592000000")
        .run(ctx -> {
          // What KafkaAdmin reads from the bean when it creates missing topics.
          Collection<NewTopic> declared =
              ReflectionTestUtils.invokeMethod(ctx.getBean(KafkaAdmin.NewTopics.class), "getNewTopics");
          Map<String, NewTopic> topics = declared.stream()
              .collect(Collectors.toMap(NewTopic::name, Function.identity()));

          assertThat(topics).containsOnlyKeys(
              Topics.LIFECYCLE.name(), Topics.COMPLETED.name(), Topics.LIFECYCLE_DLQ.name());
          NewTopic lifecycle = topics.get(Topics.LIFECYCLE.name());
          assertThat(lifecycle.numPartitions()).isEqualTo(12);
          assertThat(lifecycle.replicationFactor()).isEqualTo((short) 3);
          assertThat(lifecycle.configs()).containsEntry("retention.ms", "-1").containsEntry("min.insync.replicas", "2");
          assertThat(topics.get(Topics.COMPLETED.name()).configs()).containsEntry("retention.ms", "604800000");
          NewTopic dlq = topics.get(Topics.LIFECYCLE_DLQ.name());
          assertThat(dlq.numPartitions()).isEqualTo(2);
          assertThat(dlq.configs()).containsEntry("retention.ms", "2592000000");
        });
  }

  @Test
  void givenReplicasFewerThanMinInsyncThenStartUpFails() {
    context.withPropertyValues(
            "imagejobs.topics.partitions=6",
            "imagejobs.topics.dlq-partitions=1",
            "imagejobs.topics.replication-factor=1",
            "imagejobs.topics.min-insync-replicas=2")
        .run(ctx -> assertThat(ctx).hasFailed());
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TopicProperties.class)
  static class Properties {}
}
