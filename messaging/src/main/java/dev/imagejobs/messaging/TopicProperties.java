package dev.imagejobs.messaging;

import dev.imagejobs.schemas.TopicSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the topics are created at start-up ({@code imagejobs.topics.*}); every service declares them
 * so none relies on broker auto-creation.
 */
@ConfigurationProperties("imagejobs.topics")
public record TopicProperties(
    int partitions,
    int dlqPartitions,
    short replicationFactor,
    int minInsyncReplicas,
    long lifecycleRetentionMs,
    long completedRetentionMs,
    long dlqRetentionMs) {

  public TopicSettings toSettings() {
    return new TopicSettings(
        partitions, dlqPartitions, replicationFactor, minInsyncReplicas,
        lifecycleRetentionMs, completedRetentionMs, dlqRetentionMs);
  }
}
