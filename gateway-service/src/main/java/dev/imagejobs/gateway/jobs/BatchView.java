package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.schemas.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch as the API shows it: its jobs in the order they were asked for, how many are in each
 * status, and what they cost.
 *
 * @param batchId the batch's id
 * @param createdAt when it was created
 * @param jobCount how many jobs it has
 * @param jobsByStatus how many of them are in each status, every status named (0 when none)
 * @param ended whether every job has ended (completed, failed or canceled)
 * @param estimatedCostMicros the sum of the jobs' estimates, in millionths of a US dollar
 * @param actualCostMicros what the jobs' provider calls have cost so far, over all their runs
 * @param jobs the jobs, as {@code GET /api/v1/images/jobs/{jobId}} shows them
 */
record BatchView(
    String batchId,
    Instant createdAt,
    int jobCount,
    @Schema(example = "{\"queued\": 0, \"processing\": 0, \"generating\": 1, \"generated\": 0, \"uploading\": 0, "
        + "\"completed\": 2, \"failed\": 0, \"canceled\": 0}")
    Map<String, Integer> jobsByStatus,
    boolean ended,
    long estimatedCostMicros,
    long actualCostMicros,
    List<JobView> jobs) {

  /** The canonical URL of a batch. */
  static String location(String batchId) {
    return BatchesController.BATCHES + "/" + batchId;
  }

  /** The view of a batch's jobs, in the batch's order; at least one. */
  static BatchView of(String batchId, List<JobRow> rows) {
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    for (JobStatus status : JobStatus.values()) {
      byStatus.put(status.wireName(), 0);
    }
    long estimated = 0;
    long actual = 0;
    boolean ended = true;
    Instant createdAt = rows.get(0).createdAt();
    for (JobRow row : rows) {
      byStatus.merge(row.status().wireName(), 1, Integer::sum);
      estimated += row.estimatedCostMicros();
      Long total = row.totalCostMicros();
      actual += total == null ? 0 : total;
      ended &= row.status().isTerminal();
      createdAt = row.createdAt().isBefore(createdAt) ? row.createdAt() : createdAt;
    }
    return new BatchView(batchId, createdAt, rows.size(), byStatus, ended, estimated, actual,
        rows.stream().map(JobView::of).toList());
  }
}
