package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import tools.jackson.databind.JsonNode;

/**
 * Sustained end-to-end throughput: jobs offered open loop at {@code --rate}, and how many the
 * pipeline completes per second over a steady window as a project-stream client sees them, with the
 * backlog left at the end, POST latency at that rate, where the CPU went, each service's memory,
 * and each figure as a share of the machine's ceilings when they were measured in the same run.
 */
final class ThroughputScenario implements Scenario {

  private static final int SAMPLED_JOBS = 20;
  private static final Duration STREAM_GRACE = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "throughput";
  }

  @Override
  public String title() {
    return "sustained end-to-end throughput";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    BenchmarkStack stack = StackNotes.describe(run.stacks().shared(name(), Map.of()), result);
    double rate = run.options().rate();
    Duration warmup = run.options().warmup();
    Duration duration = run.options().duration();
    JobRequests requests = new JobRequests(JobRequests.newProject(name()));
    Instant started = Instant.now();
    result.setting("offered rate", Numbers.format(rate) + "/s, open loop")
        .setting("warm-up (excluded)", warmup.toSeconds() + " s")
        .setting("steady window", duration.toSeconds() + " s")
        .setting("request timeout", WindowedLoad.REQUEST_TIMEOUT.toSeconds() + " s");
    ConcurrentLinkedQueue<Long> acceptedNanos = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> acceptedIds = new ConcurrentLinkedQueue<>();
    long[] lifecycle = new long[2];
    long[] lifecycleNanos = new long[2];
    try (SseClient sse = new SseClient(stack.gatewayUrl(), stack.token());
        ProjectStreamWatcher watcher = new ProjectStreamWatcher(sse, requests.project(), run.json());
        KafkaTopics topics = new KafkaTopics(stack.bootstrapServers())) {
      watcher.open(Duration.ofSeconds(30));
      WindowedLoad.Outcome outcome = WindowedLoad.run(run, stack, name(), rate, warmup, duration, requests::body,
          (index, jobId, intended, answered, measured) -> {
            acceptedNanos.add(answered);
            acceptedIds.add(jobId);
          },
          new WindowedLoad.Hooks() {
            @Override
            public void windowOpened() {
              lifecycle[0] = topics.endOffsetSum(Topics.LIFECYCLE.name());
              lifecycleNanos[0] = System.nanoTime();
            }

            @Override
            public void windowClosed() {
              lifecycle[1] = topics.endOffsetSum(Topics.LIFECYCLE.name());
              lifecycleNanos[1] = System.nanoTime();
            }
          });
      OpenLoopLoad.Result load = outcome.load();
      double seconds = load.windowSeconds();
      long windowEnd = load.windowEndNanos();
      long completedInWindow = watcher.completedBetween(load.windowStartNanos(), windowEnd);
      long acceptedByEnd = acceptedNanos.stream().filter(nanos -> nanos < windowEnd).count();
      long backlog = acceptedByEnd - watcher.completedBefore(windowEnd);
      double offered = load.offered() / seconds;
      double accepted = load.accepted() / seconds;
      double completed = completedInWindow / seconds;
      double lifecycleRate = (lifecycle[1] - lifecycle[0]) / ((lifecycleNanos[1] - lifecycleNanos[0]) / 1e9);

      Map<String, Object> rates = new LinkedHashMap<>();
      rates.put("offered", offered);
      rates.put("accepted", accepted);
      rates.put("completed", completed);
      result.figure(new Figure("jobs/s over the steady window", "/s", rates,
          "completed = completed events the project-stream client received in the window"));
      result.figure(Figure.of("backlog at the end of the window", "jobs", backlog,
          "accepted so far (warm-up included) - completed so far"));
      result.figure(Figure.of("lifecycle records/s", "/s", lifecycleRate,
          Topics.LIFECYCLE.name() + " end offsets at the window's start and end (AdminClient)"));
      if (watcher.unreadable() > 0) {
        result.note(watcher.unreadable() + " stream events had no readable job view");
      }
      if (watcher.reconnects() > 0) {
        result.note("the gateway ended the project stream " + watcher.reconnects()
            + " times; the client resumed it with Last-Event-ID, as a browser would");
      }
      result.figures(WindowedLoad.figures(load));
      result.figures(outcome.probes().figures());
      run.ceilings().ifPresent(ceilings -> {
        Map<String, Object> shares = new LinkedHashMap<>();
        shares.put("accepted/s of durable commits/s, 8 connections",
            Numbers.percent(accepted, ceilings.commitsPerSecondEightConnections()));
        shares.put("accepted/s of durable commits/s, 1 connection",
            Numbers.percent(accepted, ceilings.commitsPerSecondOneConnection()));
        shares.put("lifecycle records/s of Kafka records/s", Numbers.percent(lifecycleRate, ceilings.kafkaRecordsPerSecond()));
        result.figure(new Figure("share of the machine's ceilings", "%", shares,
            "a job costs one durable commit when accepted; ceilings from this run's ceilings scenario"));
      });
      crossCheck(stack, watcher, requests.project(), started, new ArrayList<>(acceptedIds), result);
    }
  }

  /**
   * Checks the stream client's count against the gateway's own: the completed count of the
   * statistics for the project, bracketed by the client's count just before and after, and the
   * status of a sample of jobs by {@code GET}.
   */
  private void crossCheck(BenchmarkStack stack, ProjectStreamWatcher watcher, String project, Instant started,
      List<String> acceptedIds, ScenarioResult.Builder result) {
    long before = watcher.completed();
    JsonNode stats = stack.gateway().getJson(GatewayClient.STATS + "?since="
        + started.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS) + "&projectId=" + project,
        Duration.ofSeconds(60));
    long after = watcher.completed();
    long reported = stats.path("completion").path("completedJobs").asLong(-1);
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("stream client before", before);
    check.put("statistics", reported);
    check.put("stream client after", after);
    result.figure(new Figure("cross-check: completed jobs of the project", "jobs", check,
        "GET /api/v1/images/stats?projectId=...; should lie between the client's two counts"));
    if (reported < before || reported > after) {
      result.note("The statistics' completed count " + reported + " is outside the stream client's " + before + ".."
          + after + ": the stream missed or invented completions, or the read model lags the stream");
    }
    int step = Math.max(1, acceptedIds.size() / SAMPLED_JOBS);
    int sampled = 0;
    int agree = 0;
    for (int i = 0; i < acceptedIds.size() && sampled < SAMPLED_JOBS; i += step) {
      String jobId = acceptedIds.get(i);
      String seen = watcher.endStatus(jobId);
      String status = stack.gateway().getJson(GatewayClient.JOBS + "/" + jobId, Duration.ofSeconds(30))
          .path("status").asString();
      boolean terminal = JobStatus.fromWireName(status).map(JobStatus::isTerminal).orElse(false);
      sampled++;
      if (terminal) {
        // The stream may deliver an end a moment after GET shows it: wait a little for it.
        long deadline = System.nanoTime() + STREAM_GRACE.toNanos();
        while (watcher.endStatus(jobId) == null && System.nanoTime() < deadline) {
          Waits.sleep(Duration.ofMillis(50));
        }
        if (status.equals(watcher.endStatus(jobId))) {
          agree++;
        }
      } else if (seen == null) {
        agree++;
      }
    }
    result.figure(Figure.of("cross-check: sampled jobs whose GET agrees with the stream", "jobs",
        agree + " of " + sampled, "GET /api/v1/images/jobs/{id} of jobs spread over the run: an ended job's status arrived on the stream too, "
            + "a running one did not end on it"));
  }
}
