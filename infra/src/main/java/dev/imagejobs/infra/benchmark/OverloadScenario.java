package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * More offered than the stack completes (three times {@code --rate}) with a per-tenant backlog
 * limit: whether the gateway sheds load with quick, explicit answers ({@code 429}/{@code 503} with
 * {@code Retry-After}) or lets every client wait.
 */
final class OverloadScenario implements Scenario {

  static final String MAX_QUEUED = "2000";

  @Override
  public String name() {
    return "overload";
  }

  @Override
  public String title() {
    return "offered 3x the rate with a per-tenant backlog limit";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    BenchmarkStack stack = StackNotes.describe(
        run.stacks().shared(name(), Map.of(BenchmarkStack.ADMISSION_MAX_QUEUED, MAX_QUEUED)), result);
    double rate = 3.0 * run.options().rate();
    Duration warmup = run.options().warmup();
    Duration duration = run.options().scaled(Duration.ofSeconds(30), Duration.ofSeconds(10));
    JobRequests requests = new JobRequests(JobRequests.newProject(name()));
    result.setting("offered rate", Numbers.format(rate) + "/s, open loop (3 x --rate)")
        .setting("warm-up (excluded, same rate)", warmup.toSeconds() + " s")
        .setting("measured window", duration.toSeconds() + " s")
        .setting("request timeout", WindowedLoad.REQUEST_TIMEOUT.toSeconds() + " s");
    WindowedLoad.Outcome outcome = WindowedLoad.run(run, stack, name(), rate, warmup, duration, requests::body,
        (index, jobId, intended, answered, measured) -> { }, new WindowedLoad.Hooks() { });
    OpenLoopLoad.Result load = outcome.load();
    result.figures(WindowedLoad.figures(load));
    Map<String, Long> grouped = new LinkedHashMap<>();
    grouped.put("202", 0L);
    grouped.put("429", 0L);
    grouped.put("503", 0L);
    grouped.put("other", 0L);
    grouped.put("timeout", 0L);
    load.answers().forEach((answer, count) -> grouped.merge(grouped.containsKey(answer) ? answer : "other", count,
        Long::sum));
    result.figure(Figure.counts("answers: accepted, shed, other, client timeouts", grouped,
        "other = any other status or a connection error"));
    long shed = grouped.get("429") + grouped.get("503");
    result.figure(Figure.of("429/503 answers without Retry-After", "", load.withoutRetryAfter(),
        shed == 0 ? "no 429 or 503 at all: the gateway never shed load" : "of " + shed + " shed"));
    result.figures(outcome.probes().figures());
  }
}
