package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void createsEveryCatalogueTopicWithExplicitPartitionsReplicationAndRetention() {
    TopicSettings settings = new TopicSettings(12, 2, (short) 3, 2, -1, 604800000L, 2592000000L, 172800000L);

    var topics = Topics.newTopics(settings, TopicNames.UNPREFIXED);

    assertThat(topics).extracting(NewTopic::name)
        .containsExactly("image-jobs.lifecycle.v1", "image-jobs.completed.v1", "image-jobs.lifecycle.dlq.v1",
            "image-jobs.ended-runs.v1", "image-jobs.budgets.v1");
    NewTopic lifecycle = topics.get(0);
    assertThat(lifecycle.numPartitions()).isEqualTo(12);
    assertThat(lifecycle.replicationFactor()).isEqualTo((short) 3);
    assertThat(lifecycle.configs()).containsEntry("retention.ms", "-1").containsEntry("min.insync.replicas", "2");
    assertThat(topics.get(1).configs()).containsEntry("retention.ms", "604800000");
    assertThat(topics.get(2).numPartitions()).isEqualTo(2);
    assertThat(topics.get(2).configs()).containsEntry("retention.ms", "2592000000");
    assertThat(lifecycle.configs()).containsEntry("cleanup.policy", "delete");
    assertThat(topics.get(3).numPartitions()).isEqualTo(12);
    assertThat(topics.get(3).configs()).containsEntry("retention.ms", "172800000")
        .containsEntry("cleanup.policy", "compact,delete");
    // Budget events are kept like the completed summaries.
    assertThat(topics.get(4).numPartitions()).isEqualTo(12);
    assertThat(topics.get(4).configs()).containsEntry("retention.ms", "604800000").containsEntry("cleanup.policy", "delete");
  }

  @Test
  void givenAPrefix_thenEveryTopicIsNamedAfterIt() {
    TopicNames staging = new TopicNames(" staging. ");

    assertThat(Topics.newTopics(TopicSettings.local(), staging)).extracting(NewTopic::name)
        .containsExactly("staging.image-jobs.lifecycle.v1", "staging.image-jobs.completed.v1",
            "staging.image-jobs.lifecycle.dlq.v1", "staging.image-jobs.ended-runs.v1", "staging.image-jobs.budgets.v1");
    assertThat(staging.budgets()).isEqualTo("staging.image-jobs.budgets.v1");
    assertThat(staging.lifecycle()).isEqualTo("staging.image-jobs.lifecycle.v1");
    assertThat(TopicNames.UNPREFIXED.of(Topics.COMPLETED)).isEqualTo("image-jobs.completed.v1");
  }

  @Test
  void refusesAPrefixKafkaCannotName() {
    assertThatThrownBy(() -> new TopicNames("staging/")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("staging/");
    assertThatThrownBy(() -> new TopicNames("x".repeat(101))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesSettingsThatCannotWork() {
    long week = TopicSettings.DEFAULT_ENDED_RUNS_RETENTION_MS;
    assertThatThrownBy(() -> new TopicSettings(0, 1, (short) 1, 1, -1, -1, -1, week)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TopicSettings(1, 1, (short) 1, 2, -1, -1, -1, week)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TopicSettings(1, 1, (short) 1, 1, -1, -1, -1, 3_600_000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endedRunsRetentionMs");
  }
}
