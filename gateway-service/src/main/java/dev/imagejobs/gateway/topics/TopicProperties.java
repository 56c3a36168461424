package dev.imagejobs.gateway.topics;

import dev.imagejobs.schemas.TopicSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Partitions, replication and retention of the topics this service creates when missing.
 *
 * @param partitions partitions of the lifecycle and completed topics
 * @param dlqPartitions partitions of the dead-letter topic
 * @param replicationFactor replicas per partition
 * @param minInsyncReplicas {@code min.insync.replicas}
 * @param lifecycleRetentionMs retention of the lifecycle topic, -1 = forever
 * @param completedRetentionMs retention of the completed topic, -1 = forever
 * @param dlqRetentionMs retention of the dead-letter topic
 */
@ConfigurationProperties("imagejobs.topics")
record TopicProperties(
    int partitions,
    int dlqPartitions,
    short replicationFactor,
    int minInsyncReplicas,
    long lifecycleRetentionMs,
    long completedRetentionMs,
    long dlqRetentionMs) {

  TopicSettings toSettings() {
    return new TopicSettings(partitions, dlqPartitions, replicationFactor, minInsyncReplicas,
        lifecycleRetentionMs, completedRetentionMs, dlqRetentionMs);
  }
}
