package dev.imagejobs.gateway.operations;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Everything the operator dashboard shows, computed at {@code generatedAt}.
 *
 * @param active jobs not ended, by status, with how long they have been in it
 * @param queuedByPriority queued jobs by priority (high, normal, low), with the oldest one's wait
 * @param endedLastHour jobs that ended in the last hour, by status
 * @param stuck the jobs longest in one status past the stuck threshold, oldest first
 * @param minutes jobs created, completed and failed per minute over the last 15, with the
 *     creation-to-completion latency of those completed
 * @param failuresLastHour failed jobs of the last hour by error class
 * @param lag each consumer group's position and lag per partition of the topics it reads
 * @param generationInstances the generation service's instances: their partitions and jobs in flight
 * @param deadLetters the latest dead-lettered records with their reasons
 * @param deadLettersTotal every record in the dead-letter topic
 * @param spendToday actual cost of the jobs that ended today (UTC), by tenant and project
 * @param problems figures that could not be had this time and why (the broker not answering)
 */
public record OperatorOverview(Instant generatedAt, List<StatusAges> active,
    List<QueuedByPriority> queuedByPriority, List<StatusCount> endedLastHour,
    List<StuckJob> stuck, List<Minute> minutes, List<ClassCount> failuresLastHour, List<PartitionLag> lag,
    List<GenerationInstance> generationInstances, List<DeadLetter> deadLetters, long deadLettersTotal,
    List<ProjectSpend> spendToday, List<String> problems) {

  /** Jobs in one status, by time since their last change. */
  public record StatusAges(String status, long jobs, long underOneMinute, long oneToTenMinutes,
      long tenToSixtyMinutes, long overAnHour, double oldestSeconds) {}

  /**
   * Queued jobs of one priority.
   *
   * @param oldestSeconds how long the one waiting longest has been queued (since its last change,
   *     like the ages of {@link StatusAges}), {@code null} without jobs
   */
  public record QueuedByPriority(String priority, long jobs, Double oldestSeconds) {}

  public record StatusCount(String status, long jobs) {}

  public record StuckJob(String jobId, String tenantId, String projectId, String status, Instant since,
      double seconds) {}

  /** One minute: jobs created, completed and failed in it, and completion latency p50 / p95 in seconds. */
  public record Minute(Instant minute, long created, long completed, long failed, Double p50Seconds,
      Double p95Seconds) {}

  public record ClassCount(String errorClass, long jobs) {}

  /**
   * A consumer group's position in one partition.
   *
   * @param committed the next offset the group will read ({@code null} when it committed none)
   * @param lag records between it and the end of the partition
   * @param member the instance reading the partition now, if the broker knows it
   */
  public record PartitionLag(String group, String topic, int partition, Long committed, long end, long lag,
      String member) {}

  /** One generation instance: the lifecycle partitions it reads and the jobs it runs now on them. */
  public record GenerationInstance(String member, String host, List<Integer> partitions, long jobsInFlight,
      long backlog) {}

  public record DeadLetter(int partition, long offset, Instant at, String jobId, String reason, String sourceTopic,
      String consumerGroup) {}

  public record ProjectSpend(String tenantId, String projectId, long jobs, BigDecimal actualUsd) {}
}
