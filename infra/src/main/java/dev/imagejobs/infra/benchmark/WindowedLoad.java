package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * An open-loop job load on a stack with its probes around the measured window: idle figures
 * before the load, then probes (and any scenario hooks) opened when the warm-up ends and closed
 * when the last request is due, so warm-up and stack start-up stay out of every figure.
 */
final class WindowedLoad {

  /** What a scenario does itself when the window opens and closes (e.g. read topic offsets). */
  interface Hooks {
    default void windowOpened() {}

    default void windowClosed() {}
  }

  /**
   * @param load the load's own figures
   * @param probes CPU, memory and profile of the window
   */
  record Outcome(OpenLoopLoad.Result load, MeasuredWindow.Report probes) {}

  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private WindowedLoad() {}

  static Outcome run(BenchmarkRun run, BenchmarkStack stack, String scenario, double rate, Duration warmup,
      Duration duration, LongFunction<String> bodies, OpenLoopLoad.AcceptListener listener, Hooks hooks)
      throws Exception {
    GatewayClient gateway = stack.gateway();
    OpenLoopLoad load = new OpenLoopLoad(index -> gateway.submit(bodies.apply(index)), REQUEST_TIMEOUT);
    OpenLoopLoad.AcceptListener counting = (index, jobId, intended, answered, measured) -> {
      stack.jobsAccepted().incrementAndGet();
      listener.accepted(index, jobId, intended, answered, measured);
    };
    try (MeasuredWindow window = run.window(stack, scenario)) {
      window.measureIdle();
      OpenLoopLoad.Running running = load.start(rate, warmup, duration, counting);
      Waits.until(running.windowStartNanos());
      window.begin();
      hooks.windowOpened();
      Waits.until(running.windowEndNanos());
      hooks.windowClosed();
      MeasuredWindow.Report probes = window.end();
      OpenLoopLoad.Result result = running.result()
          .get(REQUEST_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
      return new Outcome(result, probes);
    }
  }

  /** The load's figures: POST latency, answers by status, offered and accepted rates, the client's own lag. */
  static List<Figure> figures(OpenLoopLoad.Result load) {
    List<Figure> figures = new ArrayList<>();
    figures.add(Figure.latency("POST /api/v1/images/jobs latency", load.latency(),
        "from the intended send time (open loop, no coordinated omission) to the answer, every status; "
            + "a timeout counts with the time it waited"));
    figures.add(Figure.counts("answers by status", load.answers(), "requests due in the measured window"));
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("offered", load.offered() / load.windowSeconds());
    rates.put("accepted (202)", load.accepted() / load.windowSeconds());
    figures.add(new Figure("request rate", "/s", rates, "over the measured window"));
    figures.add(Figure.of("client send lag, max", "ms", load.maxSendLagMs(),
        "how far the client fell behind its schedule; latency already includes it"));
    return figures;
  }
}
