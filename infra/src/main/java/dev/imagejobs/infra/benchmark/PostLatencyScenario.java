package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /api/v1/images/jobs} → {@code 202} latency at a constant 200 requests/s, open loop,
 * while the pipeline processes the jobs: what a creative tool waits for when it asks for an image.
 */
final class PostLatencyScenario implements Scenario {

  static final double RATE = 200;

  @Override
  public String name() {
    return "post-latency";
  }

  @Override
  public String title() {
    return "POST -> 202 latency at a constant 200 requests/s";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    BenchmarkStack stack = StackNotes.describe(run.stacks().shared(name(), Map.of()), result);
    Duration warmup = run.options().warmup();
    Duration duration = run.options().duration();
    JobRequests requests = new JobRequests(JobRequests.newProject(name()));
    result.setting("offered rate", Numbers.format(RATE) + "/s, open loop")
        .setting("warm-up (excluded)", warmup.toSeconds() + " s")
        .setting("measured window", duration.toSeconds() + " s")
        .setting("request timeout", WindowedLoad.REQUEST_TIMEOUT.toSeconds() + " s");
    WindowedLoad.Outcome outcome = WindowedLoad.run(run, stack, name(), RATE, warmup, duration, requests::body,
        (index, jobId, intended, answered, measured) -> { }, new WindowedLoad.Hooks() { });
    result.figures(WindowedLoad.figures(outcome.load()));
    result.figures(outcome.probes().figures());
  }
}
