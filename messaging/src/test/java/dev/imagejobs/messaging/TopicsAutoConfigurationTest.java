package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.TopicSettings;
import dev.imagejobs.schemas.Topics;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.test.util.ReflectionTestUtils;

class TopicsAutoConfigurationTest {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TopicsAutoConfiguration.class));

  @Test
  void givenTopicSettingsThenEveryCatalogueTopicIsDeclaredWithThem() {
    context.withPropertyValues(
            "imagejobs.topics.partitions=12",
            "imagejobs.topics.dlq-partitions=2",
            "imagejobs.topics.replication-factor=3",
            "imagejobs.topics.min-insync-replicas=2",
            "imagejobs.topics.lifecycle-retention-ms=-1",
            "imagejobs.topics.completed-retention-ms=604800000",
            "imagejobs.topics.dlq-retention-ms=2592000000",
            "imagejobs.topics.ended-runs-retention-ms=172800000")
        .run(ctx -> {
          // What KafkaAdmin reads from the bean when it creates missing topics.
          Collection<NewTopic> declared =
              ReflectionTestUtils.invokeMethod(ctx.getBean(KafkaAdmin.NewTopics.class), "getNewTopics");
          Map<String, NewTopic> topics = declared.stream()
              .collect(Collectors.toMap(NewTopic::name, Function.identity()));

          assertThat(topics).containsOnlyKeys(
              Topics.LIFECYCLE.name(), Topics.COMPLETED.name(), Topics.LIFECYCLE_DLQ.name(), Topics.ENDED_RUNS.name(),
              Topics.BUDGETS.name());
          assertThat(topics.get(Topics.BUDGETS.name()).configs()).containsEntry("retention.ms", "604800000");
          NewTopic lifecycle = topics.get(Topics.LIFECYCLE.name());
          assertThat(lifecycle.numPartitions()).isEqualTo(12);
          assertThat(lifecycle.replicationFactor()).isEqualTo((short) 3);
          assertThat(lifecycle.configs()).containsEntry("retention.ms", "-1").containsEntry("min.insync.replicas", "2");
          assertThat(topics.get(Topics.COMPLETED.name()).configs()).containsEntry("retention.ms", "604800000");
          NewTopic dlq = topics.get(Topics.LIFECYCLE_DLQ.name());
          assertThat(dlq.numPartitions()).isEqualTo(2);
          assertThat(dlq.configs()).containsEntry("retention.ms", "2592000000");
          NewTopic endedRuns = topics.get(Topics.ENDED_RUNS.name());
          assertThat(endedRuns.numPartitions()).isEqualTo(12);
          assertThat(endedRuns.configs()).containsEntry("retention.ms", "172800000")
              .containsEntry("cleanup.policy", "compact,delete");
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

  @Test
  void givenTopicCreationSwitchedOffThenNoTopicIsDeclared() {
    context.withPropertyValues(
            "imagejobs.topics.create=false",
            "imagejobs.topics.partitions=6",
            "imagejobs.topics.dlq-partitions=1",
            "imagejobs.topics.replication-factor=1",
            "imagejobs.topics.min-insync-replicas=1")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(KafkaAdmin.NewTopics.class)
            .hasSingleBean(TopicProperties.class));
  }

  @Test
  void givenOnlyTheTopicsAutoConfigurationThenNeitherTemplatesNorAnErrorHandlerAreDeclared() {
    context.withPropertyValues(
            "imagejobs.topics.partitions=1",
            "imagejobs.topics.dlq-partitions=1",
            "imagejobs.topics.replication-factor=1",
            "imagejobs.topics.min-insync-replicas=1")
        .run(ctx -> {
          // What the gateway and the streams service rely on when they exclude MessagingAutoConfiguration.
          assertThat(ctx).hasSingleBean(KafkaAdmin.NewTopics.class).hasSingleBean(TopicProperties.class);
          assertThat(ctx).doesNotHaveBean(KafkaTemplate.class)
              .doesNotHaveBean(CommonErrorHandler.class);
          assertThat(ctx.getBean(TopicProperties.class).toSettings().endedRunsRetentionMs())
              .isEqualTo(TopicSettings.DEFAULT_ENDED_RUNS_RETENTION_MS);
        });
  }
}
