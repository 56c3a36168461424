package dev.imagejobs.schemas;

/**
 * How the topics are created at start-up. Broker auto-creation is never relied on.
 *
 * @param partitions partitions of the lifecycle and completed topics
 * @param dlqPartitions partitions of the dead-letter topic
 * @param replicationFactor replicas per partition (1 locally, 3 in production)
 * @param minInSyncReplicas {@code min.insync.replicas} (1 locally, 2 in production)
 * @param lifecycleRetentionMs retention of the lifecycle topic, -1 = forever (it is the audit log)
 * @param completedRetentionMs retention of the completed topic, -1 = forever
 * @param dlqRetentionMs retention of the dead-letter topic
 * @param endedRunsRetentionMs how long the ended-runs topic keeps a job's record, and so how old a
 *     run's starting event may be before generation and upload treat it as history, never run
 */
public record TopicSettings(
    int partitions,
    int dlqPartitions,
    short replicationFactor,
    int minInSyncReplicas,
    long lifecycleRetentionMs,
    long completedRetentionMs,
    long dlqRetentionMs,
    long endedRunsRetentionMs) {

  public TopicSettings {
    if (partitions < 1 || dlqPartitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1");
    }
    if (replicationFactor < 1 || minInSyncReplicas < 1 || minInSyncReplicas > replicationFactor) {
      throw new IllegalArgumentException("need 1 <= minInSyncReplicas <= replicationFactor");
    }
    if (endedRunsRetentionMs < MIN_ENDED_RUNS_RETENTION_MS) {
      throw new IllegalArgumentException("endedRunsRetentionMs must be at least one day, far above every watchdog deadline");
    }
  }

  /** The shortest retention of the ended-runs topic: one day. */
  public static final long MIN_ENDED_RUNS_RETENTION_MS = 24L * 3600 * 1000;

  /** Default retention of the ended-runs topic: seven days. */
  public static final long DEFAULT_ENDED_RUNS_RETENTION_MS = 7 * MIN_ENDED_RUNS_RETENTION_MS;

  /** One broker, six partitions, keep the audit log forever, dead letters for 30 days. */
  public static TopicSettings local() {
    return new TopicSettings(6, 1, (short) 1, 1, -1, -1, 30L * 24 * 3600 * 1000, DEFAULT_ENDED_RUNS_RETENTION_MS);
  }
}
