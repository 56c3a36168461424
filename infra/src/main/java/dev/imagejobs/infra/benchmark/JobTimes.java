package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A job's priority and the server's timestamps of its life, from its job view: when the gateway
 * created it ({@code JobRequested}), when generation started it ({@code JobStarted}) and, once
 * it ended, its terminal event's time.
 *
 * @param jobId the job's id
 * @param priority {@code high}, {@code normal} or {@code low}
 * @param status its status when read
 * @param createdAt {@code createdAt} of the view
 * @param startedAt {@code startedAt} of the view, null while queued
 * @param endedAt {@code updatedAt} of a job in a terminal status, else null
 */
record JobTimes(String jobId, String priority, String status, Instant createdAt, Instant startedAt, Instant endedAt) {

  static JobTimes of(JsonNode view) {
    String status = view.path("status").asString();
    boolean terminal = JobStatus.fromWireName(status).map(JobStatus::isTerminal).orElse(false);
    return new JobTimes(view.path("jobId").asString(), view.path("priority").asString(), status,
        instant(view.path("createdAt")), instant(view.path("startedAt")),
        terminal ? instant(view.path("updatedAt")) : null);
  }

  /** Seconds from creation to start, NaN while the job has not started. */
  double waitToStartSeconds() {
    return startedAt == null || createdAt == null ? Double.NaN : seconds(createdAt, startedAt);
  }

  static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  /** An ISO-8601 instant, or decimal seconds since the epoch; null when absent. */
  private static Instant instant(JsonNode value) {
    if (value.isString()) {
      return Instant.parse(value.asString());
    }
    if (value.isNumber()) {
      return Instant.ofEpochSecond(0, Math.round(value.asDouble() * 1e6) * 1000);
    }
    return null;
  }
}
