package dev.imagejobs.gateway.readmodel;

import java.time.Instant;
import java.util.Map;

/**
 * A project of a tenant, as its jobs show it.
 *
 * @param projectId the project
 * @param jobs how many jobs it has
 * @param lastActivityAt when one of its jobs last changed
 * @param jobsByStatus how many of its jobs are in each status that has any (wire names)
 */
public record ProjectSummary(String projectId, long jobs, Instant lastActivityAt, Map<String, Long> jobsByStatus) {
  public ProjectSummary {
    jobsByStatus = Map.copyOf(jobsByStatus);
  }
}
