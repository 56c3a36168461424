package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the pipeline adds to the provider's own time, as a user sees it: a client follows the
 * project's event stream from before the load; for each job, the arrival of its completed event
 * minus the arrival of its {@code 202}, minus the configured provider latency. 100 jobs/s, open loop.
 */
final class OverheadScenario implements Scenario {

  static final double RATE = 100;

  @Override
  public String name() {
    return "overhead";
  }

  @Override
  public String title() {
    return "pipeline overhead at 100 jobs/s (202 -> completed event)";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    BenchmarkStack stack = StackNotes.describe(run.stacks().shared(name(), Map.of()), result);
    Duration warmup = run.options().warmup();
    Duration duration = run.options().duration();
    Duration deadline = run.options().scaled(Duration.ofMinutes(2), Duration.ofSeconds(45));
    JobRequests requests = new JobRequests(JobRequests.newProject(name()));
    long providerNanos = stack.providerLatency().toNanos();
    result.setting("offered rate", Numbers.format(RATE) + "/s, open loop")
        .setting("warm-up (excluded)", warmup.toSeconds() + " s")
        .setting("measured window", duration.toSeconds() + " s")
        .setting("deadline for the last job after the load", deadline.toSeconds() + " s");
    Map<String, Long> acceptedNanos = new ConcurrentHashMap<>();
    try (SseClient sse = new SseClient(stack.gatewayUrl(), stack.token());
        ProjectStreamWatcher watcher = new ProjectStreamWatcher(sse, requests.project(), run.json())) {
      watcher.open(Duration.ofSeconds(30));
      WindowedLoad.Outcome outcome = WindowedLoad.run(run, stack, name(), RATE, warmup, duration, requests::body,
          (index, jobId, intended, answered, measured) -> {
            if (measured) {
              acceptedNanos.put(jobId, answered);
            }
          }, new WindowedLoad.Hooks() { });
      long open = watcher.awaitEnded(acceptedNanos.keySet(), deadline);
      LatencyRecorder overhead = new LatencyRecorder();
      long failed = 0;
      for (Map.Entry<String, Long> job : acceptedNanos.entrySet()) {
        Long ended = watcher.endedNanos(job.getKey());
        if (ended == null) {
          continue;
        }
        if (!JobStatus.COMPLETED.wireName().equals(watcher.endStatus(job.getKey()))) {
          failed++;
          continue;
        }
        overhead.recordNanos(ended - job.getValue() - providerNanos);
      }
      result.figure(Figure.latency("overhead: completed event - 202 - provider latency", overhead.summary(),
          "per job accepted in the measured window, as the project-stream client received both"));
      result.figure(Figure.counts("jobs of the measured window", orderedCounts(acceptedNanos.size(),
          acceptedNanos.size() - open - failed, failed, open), "never completed = no terminal event within "
              + deadline.toSeconds() + " s after the load"));
      if (overhead.negativeCount() > 0) {
        result.note(overhead.negativeCount() + " jobs completed faster than the provider latency (clock or setting error)");
      }
      if (watcher.unreadable() > 0) {
        result.note(watcher.unreadable() + " stream events had no readable job view");
      }
      if (watcher.reconnects() > 0) {
        result.note("the gateway ended the project stream " + watcher.reconnects()
            + " times; the client resumed it with Last-Event-ID, as a browser would");
      }
      result.figures(WindowedLoad.figures(outcome.load()));
      result.figures(outcome.probes().figures());
    }
  }

  static Map<String, Long> orderedCounts(long accepted, long completed, long failed, long open) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("accepted", accepted);
    counts.put("completed", completed);
    counts.put("failed or canceled", failed);
    counts.put("never completed", open);
    return counts;
  }
}
