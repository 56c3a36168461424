package dev.imagejobs.gateway.stats;

import dev.imagejobs.gateway.budgets.BudgetView;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's jobs created since a point in time.
 *
 * @param since the start of the window (inclusive)
 * @param until when the figures were computed
 * @param projectId the project they are limited to, or {@code null} for all
 * @param totalJobs jobs created in the window
 * @param byStatus how many of them are in each status, and their share of the total
 * @param completion completion times of those that completed
 * @param costByJobType estimated and actual cost per job type
 * @param budget the project's budget as it stands now (spent, reserved, remaining), when the
 *     figures are limited to a project that has one; else {@code null}
 */
record JobStats(
    Instant since,
    Instant until,
    String projectId,
    long totalJobs,
    List<StatusShare> byStatus,
    Completion completion,
    List<JobTypeCost> costByJobType,
    BudgetView budget) {

  /**
   * @param status the lower-case status
   * @param jobs jobs in it
   * @param share {@code jobs / totalJobs}, 0 to 1
   */
  record StatusShare(String status, long jobs, double share) {}

  /**
   * Time from creation to completion of completed jobs (retries included), in seconds.
   *
   * @param completedJobs how many completed
   * @param averageSeconds their average, {@code null} when none completed
   * @param p95Seconds their 95th percentile (interpolated), {@code null} when none completed
   */
  record Completion(long completedJobs, Double averageSeconds, Double p95Seconds) {}

  /**
   * @param jobType the job type
   * @param jobs jobs of that type
   * @param estimatedCostMicros sum of the estimates made at creation, in millionths of a US dollar
   * @param actualCostMicros sum of the costs the provider reported, for jobs where it did
   */
  record JobTypeCost(String jobType, long jobs, long estimatedCostMicros, long actualCostMicros) {}
}
