package dev.imagejobs.messaging;

import dev.imagejobs.schemas.TopicNames;
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
 * @param create whether the services create missing topics at start-up; false where topics are
 *     managed outside them (Strimzi {@code KafkaTopic} resources)
 * @param prefix put before every topic name, so environments can share a cluster (e.g. {@code
 *     staging.}); the default consumer group ids and the streams application id start with it too
 */
@ConfigurationProperties("imagejobs.topics")
public record TopicProperties(
    @DefaultValue("6") int partitions,
    @DefaultValue("1") int dlqPartitions,
    @DefaultValue("1") short replicationFactor,
    @DefaultValue("1") int minInsyncReplicas,
    @DefaultValue("-1") long lifecycleRetentionMs,
    @DefaultValue("-1") long completedRetentionMs,
    // Thirty days.
    @DefaultValue("2592000000") long dlqRetentionMs,
    @DefaultValue(DEFAULT_ENDED_RUNS_RETENTION_MS) long endedRunsRetentionMs,
    @DefaultValue("true") boolean create,
    @DefaultValue("") String prefix) {

  /** Seven days, {@link TopicSettings#DEFAULT_ENDED_RUNS_RETENTION_MS}. */
  static final String DEFAULT_ENDED_RUNS_RETENTION_MS = "604800000";

  /** The topic names of this deployment. */
  public TopicNames names() {
    return new TopicNames(prefix);
  }

  public TopicSettings toSettings() {
    return new TopicSettings(
        partitions, dlqPartitions, replicationFactor, minInsyncReplicas,
        lifecycleRetentionMs, completedRetentionMs, dlqRetentionMs, endedRunsRetentionMs);
  }
}
