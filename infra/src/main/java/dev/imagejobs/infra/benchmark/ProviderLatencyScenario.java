package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a slow provider is used to the full: 2,000 jobs submitted at once (as fast as the gateway
 * takes them) against a 2 s provider, with 32 and then 256 jobs in flight, each on a fresh stack;
 * the time from the first submit to the last completion seen on the project stream, against the
 * ideal of {@code jobs x latency / in flight}.
 */
final class ProviderLatencyScenario implements Scenario {

  private static final Duration PROVIDER_LATENCY = Duration.ofSeconds(2);
  private static final List<Integer> IN_FLIGHT = List.of(32, 256);

  @Override
  public String name() {
    return "provider-latency";
  }

  @Override
  public String title() {
    return "2,000 jobs at once on a 2 s provider, 32 and 256 in flight";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    int jobs = run.options().scaled(2000, 200);
    result.setting("jobs", jobs + ", submitted at once by " + Burst.CONCURRENCY + " concurrent requests")
        .setting("provider latency", PROVIDER_LATENCY.toMillis() + " ms");
    boolean first = true;
    for (int inFlight : IN_FLIGHT) {
      Map<String, String> overrides = Map.of(
          BenchmarkStack.LOCAL_LATENCY, PROVIDER_LATENCY.toMillis() + "ms",
          BenchmarkStack.MAX_IN_FLIGHT, Integer.toString(inFlight));
      BenchmarkStack stack = run.stacks().fresh(name() + "-" + inFlight, overrides);
      if (first) {
        result.settings(stack.facts());
        result.setting("generation max in flight", IN_FLIGHT + ", a fresh stack each");
        first = false;
      }
      measure(run, stack, jobs, inFlight, result);
    }
    run.stacks().closeCurrent();
  }

  private void measure(BenchmarkRun run, BenchmarkStack stack, int jobs, int inFlight, ScenarioResult.Builder result)
      throws Exception {
    double ideal = Math.max(PROVIDER_LATENCY.toMillis() / 1000.0,
        jobs * (PROVIDER_LATENCY.toMillis() / 1000.0) / inFlight);
    Duration deadline = Duration.ofSeconds(Math.max(120, (long) (ideal * 4)));
    JobRequests requests = new JobRequests(JobRequests.newProject(name()));
    try (SseClient sse = new SseClient(stack.gatewayUrl(), stack.token());
        ProjectStreamWatcher watcher = new ProjectStreamWatcher(sse, requests.project(), run.json());
        MeasuredWindow window = run.window(stack, name() + "-" + inFlight)) {
      watcher.open(Duration.ofSeconds(30));
      window.measureIdle();
      window.begin();
      long firstSubmit = System.nanoTime();
      Burst burst = Burst.submit(stack, jobs, requests::body, deadline);
      Set<String> accepted = burst.accepted();
      long open = watcher.awaitEnded(accepted, deadline);
      long lastEnd = watcher.lastEndedNanos(accepted);
      MeasuredWindow.Report probes = window.end();
      double actual = lastEnd == 0 ? Double.NaN : (lastEnd - firstSubmit) / 1e9;
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("first submit -> last completion", actual);
      values.put("ideal", ideal);
      values.put("efficiency %", Numbers.percent(ideal, actual));
      values.put("submitting took", burst.seconds());
      result.figure(new Figure(inFlight + " in flight: time to finish " + jobs + " jobs", "s", values,
          "ideal = max(latency, jobs x latency / in flight); efficiency = ideal / actual; last completion as the "
              + "project-stream client received it"));
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("accepted", (long) accepted.size());
      long endedOtherwise = accepted.stream().map(watcher::endStatus)
          .filter(status -> status != null && !status.equals(JobStatus.COMPLETED.wireName())).count();
      counts.put("completed", accepted.size() - open - endedOtherwise);
      counts.put("failed or canceled", endedOtherwise);
      counts.put("not ended by the deadline", open);
      burst.answers().forEach((answer, count) -> {
        if (!answer.equals("202")) {
          counts.put("POST " + answer, count);
        }
      });
      result.figure(Figure.counts(inFlight + " in flight: jobs", counts, "deadline " + deadline.toSeconds() + " s"));
      result.figure(Figure.latency(inFlight + " in flight: POST latency of the burst", burst.latency(),
          "from each request's send to its answer (" + Burst.CONCURRENCY + " in flight at a time)"));
      probes.figures().stream()
          .filter(figure -> figure.name().startsWith("CPU") || figure.name().startsWith("PostgreSQL"))
          .map(figure -> new Figure(inFlight + " in flight: " + figure.name(), figure.unit(), figure.values(),
              figure.note()))
          .forEach(result::figure);
    }
  }
}
