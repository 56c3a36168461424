package dev.imagejobs.schemas;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The typed topic catalogue: the only place a topic name is written. A deployment may put a prefix
 * before every name ({@link TopicNames}).
 */
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

  /**
   * The latest ended run of each job ({@code RunEnded}, key = job id), written by the streams
   * service as runs end; compacted, and kept for the ended-runs retention. Generation and upload read
   * it whole, so that no run that ended is generated or stored again.
   */
  public static final Topic ENDED_RUNS =
      new Topic("image-jobs.ended-runs.v1", "the latest ended run of each job (RunEnded), key = job id, compacted");

  /**
   * Budget events for other services ({@code BudgetThresholdReached}, key = tenant id / project id):
   * each threshold of a project's budget reached in a period, with the budget's figures. Kept like the
   * completed topic.
   */
  public static final Topic BUDGETS =
      new Topic("image-jobs.budgets.v1", "budget thresholds reached (BudgetThresholdReached), key = tenant/project");

  private Topics() {}

  public static List<Topic> all() {
    return List.of(LIFECYCLE, COMPLETED, LIFECYCLE_DLQ, ENDED_RUNS, BUDGETS);
  }

  /**
   * The topics to create at start-up, named as {@code names} says, with partitions, replication and
   * retention from settings.
   */
  public static List<NewTopic> newTopics(TopicSettings settings, TopicNames names) {
    return List.of(
        newTopic(names.lifecycle(), settings.partitions(), settings, settings.lifecycleRetentionMs()),
        newTopic(names.completed(), settings.partitions(), settings, settings.completedRetentionMs()),
        newTopic(names.lifecycleDlq(), settings.dlqPartitions(), settings, settings.dlqRetentionMs()),
        newTopic(names.endedRuns(), settings.partitions(), settings, settings.endedRunsRetentionMs(),
            // Compacted, and deleted after the retention too, so that the topic (and every reader's copy) stays bounded.
            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE),
        newTopic(names.budgets(), settings.partitions(), settings, settings.completedRetentionMs()));
  }

  private static NewTopic newTopic(String name, int partitions, TopicSettings settings, long retentionMs) {
    return newTopic(name, partitions, settings, retentionMs, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  private static NewTopic newTopic(
      String name, int partitions, TopicSettings settings, long retentionMs, String cleanupPolicy) {
    return new NewTopic(name, partitions, settings.replicationFactor())
        .configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy,
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInSyncReplicas())));
  }
}
