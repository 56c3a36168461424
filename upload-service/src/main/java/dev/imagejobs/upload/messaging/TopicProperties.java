package dev.imagejobs.upload.messaging;

import dev.imagejobs.schemas.TopicSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the topics are created at start-up; every service declares them, so whichever starts first
 * creates them and the broker's auto-creation is never relied on.
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
    return new TopicSettings(
        partitions,
        dlqPartitions,
        replicationFactor,
        minInsyncReplicas,
        lifecycleRetentionMs,
        completedRetentionMs,
        dlqRetentionMs);
  }
}
