package dev.imagejobs.messaging;

import dev.imagejobs.schemas.TopicSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the topics are created at start-up ({@code imagejobs.topics.*}); every service declares them
 * so none relies on broker auto-creation.
 *
 * @param partitions partitions of the lifecycle and completed topics
 * @param dlqPartitions partitions of the dead-letter topic
 * @param replicationFactor replicas per partition
 * @param minInsyncReplicas {@code min.insync.replicas}
 * @param lifecycleRetentionMs retention of the lifecycle topic, -1 = forever
 * @param completedRetentionMs retention of the completed topic, -1 = forever
 * @param dlqRetentionMs retention of the dead-letter topic
 * @param endedRunsRetentionMs retention of the ended-runs topic, and the age past which a run's
 *     starting event is history that generation and upload never run
 */
@ConfigurationProperties("imagejobs.topics")
public record TopicProperties(
    int partitions,
    int dlqPartitions,
    short replicationFactor,
    int minInsyncReplicas,
    long lifecycleRetentionMs,
    long completedRetentionMs,
    long dlqRetentionMs,
    @DefaultValue(DEFAULT_ENDED_RUNS_RETENTION_MS) long endedRunsRetentionMs) {

  /** Seven days, {@link TopicSettings#DEFAULT_ENDED_RUNS_RETENTION_MS}. */
  static final String DEFAULT_ENDED_RUNS_RETENTION_MS = "604800000";

  public TopicSettings toSettings() {
    return new TopicSettings(
        partitions, dlqPartitions, replicationFactor, minInsyncReplicas,
        lifecycleRetentionMs, completedRetentionMs, dlqRetentionMs, endedRunsRetentionMs);
  }
}
