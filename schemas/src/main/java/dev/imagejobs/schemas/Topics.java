package dev.imagejobs.schemas;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** The typed topic catalogue: the only place a topic name is written. */
public final class Topics {

  /** Every job transition; key = job id, so a job's events are totally ordered. The audit log. */
  public static final Topic LIFECYCLE =
      new Topic("image-jobs.lifecycle.v1", "every job transition, key = job id, Avro single-object values");

  /** One self-contained {@code ImageJobCompleted} per completed job: the public contract. */
  public static final Topic COMPLETED =
      new Topic("image-jobs.completed.v1", "one ImageJobCompleted summary per completed job, key = job id");

  /** Records of the lifecycle topic that could not be decoded or processed, reason in headers. */
  public static final Topic LIFECYCLE_DLQ =
      new Topic("image-jobs.lifecycle.dlq.v1", "undecodable or unprocessable lifecycle records");

  private Topics() {}

  public static List<Topic> all() {
    return List.of(LIFECYCLE, COMPLETED, LIFECYCLE_DLQ);
  }

  /** The topics to create at start-up, with partitions, replication and retention from settings. */
  public static List<NewTopic> newTopics(TopicSettings settings) {
    return List.of(
        newTopic(LIFECYCLE, settings.partitions(), settings, settings.lifecycleRetentionMs()),
        newTopic(COMPLETED, settings.partitions(), settings, settings.completedRetentionMs()),
        newTopic(LIFECYCLE_DLQ, settings.dlqPartitions(), settings, settings.dlqRetentionMs()));
  }

  private static NewTopic newTopic(Topic topic, int partitions, TopicSettings settings, long retentionMs) {
    return new NewTopic(topic.name(), partitions, settings.replicationFactor())
        .configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInSyncReplicas())));
  }
}
