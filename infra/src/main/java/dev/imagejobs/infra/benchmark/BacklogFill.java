package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Gets a number of one project's jobs queued on a stack, as fast as the gateway takes them: a
 * {@link Burst} of that many, then, since generation starts jobs while the burst runs, bursts of
 * the shortfall while the project's queued jobs (by the gateway's statistics) are short of the
 * number by more than one in a hundred, sending at most {@link #MAX_SENT_PER_JOB} requests per job
 * wanted. A setup step, not a measurement.
 *
 * @param submitted requests sent (the next job index of the project)
 * @param accepted requests answered {@code 202}
 * @param answers answers by status code, as {@link Burst#answers()}
 * @param seconds from the first request to the last answer and the last count
 * @param topUps bursts after the first
 */
record BacklogFill(long submitted, long accepted, Map<String, Long> answers, double seconds, int topUps) {

  static final int MAX_TOP_UPS = 10;
  static final int MAX_SENT_PER_JOB = 3;

  static BacklogFill queue(BenchmarkStack stack, JobRequests requests, String priority, int jobs, Duration deadline) {
    long start = System.nanoTime();
    Map<String, Long> answers = new TreeMap<>();
    long submitted = 0;
    long accepted = 0;
    int topUps = 0;
    long missing = jobs;
    while (true) {
      long first = submitted;
      Burst burst = Burst.submit(stack, (int) missing, index -> requests.body(first + index, priority), deadline);
      submitted += missing;
      accepted += burst.accepted().size();
      burst.answers().forEach((answer, count) -> answers.merge(answer, count, Long::sum));
      if (burst.accepted().isEmpty()) {
        throw new IllegalStateException("The gateway accepted none of " + missing + " " + priority + " jobs: " + answers);
      }
      missing = jobs - queued(stack, requests.project());
      if (missing <= jobs / 100 || topUps == MAX_TOP_UPS || submitted + missing > (long) MAX_SENT_PER_JOB * jobs) {
        break;
      }
      topUps++;
    }
    return new BacklogFill(submitted, accepted, answers, (System.nanoTime() - start) / 1e9, topUps);
  }

  /** The project's jobs in status {@code queued}, by the gateway's statistics. */
  static long queued(BenchmarkStack stack, String project) {
    JsonNode stats = stack.gateway().getJson(GatewayClient.STATS + "?projectId=" + project, Duration.ofSeconds(60));
    for (JsonNode status : stats.path("byStatus")) {
      if (JobStatus.QUEUED.wireName().equals(status.path("status").asString())) {
        return status.path("jobs").asLong();
      }
    }
    return 0;
  }
}
