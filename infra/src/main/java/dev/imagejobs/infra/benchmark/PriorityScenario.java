package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a job waits to start by its priority when the generation service is busy: in each
 * round, normal jobs are queued behind a slow provider, then a high, a normal and a low job are
 * submitted one after the other, and each one's wait from creation to start is read from its job
 * view (the server's timestamps) once every job of the round has ended. The next round starts on
 * an empty queue. One warm-up round runs first on the fresh stack and is never reported.
 */
final class PriorityScenario implements Scenario {

  static final List<String> PROBES = List.of("high", "normal", "low");
  static final String BACKLOG_PRIORITY = "normal";
  static final String READ_AHEAD = "IMAGEJOBS_GENERATION_PRIORITIES_READ_AHEAD";
  static final String AGING_STEP = "IMAGEJOBS_GENERATION_PRIORITIES_AGING_STEP";
  static final String QUEUED_DEADLINE = "IMAGEJOBS_WATCHDOG_QUEUED_DEADLINE";

  private static final Logger LOG = LoggerFactory.getLogger(PriorityScenario.class);
  private static final Duration LIST_PAGE_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public String name() {
    return "priority";
  }

  @Override
  public String title() {
    return "wait to start by priority behind a backlog of normal jobs on a slow provider";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    PriorityOptions options = run.options().priority();
    BenchmarkStack stack = run.stacks().fresh(name(), overrides(options));
    result.settings(stack.facts())
        .setting("generation max in flight", stack.serviceSetting(BenchmarkStack.MAX_IN_FLIGHT)
            .orElse(PriorityOptions.SERVICE_MAX_IN_FLIGHT + " (service default)"))
        .setting("generation read-ahead", stack.serviceSetting(READ_AHEAD).orElse("1000 (service default)"))
        .setting("generation aging step", stack.serviceSetting(AGING_STEP).orElse("60s (service default)"))
        .setting("machine cores", run.machine().cores())
        .setting("backlog", options.backlog() + " normal jobs queued ahead of the probes in each round, sent "
            + Burst.CONCURRENCY + " requests at a time and topped up while generation starts them (setup, not measured)")
        .setting("probes", String.join(", ", PROBES) + ": one job each, submitted one after the other once the "
            + "backlog is queued")
        .setting("provider latency", options.providerLatency().toMillis() + " ms")
        .setting("rounds", options.rounds() + " measured after 1 warm-up round (excluded); each starts once every "
            + "job of the previous one has ended")
        .setting("wait to start", "server-side: the job view's createdAt -> startedAt, read after the round");
    Duration drainTimeout = drainTimeout(options);
    long warmUpStart = System.nanoTime();
    PriorityRound warmUp = round(stack, options, "warm-up", drainTimeout, result);
    result.setting("stack warm-up (excluded)", "1 round of the scenario, " + warmUp.backlogJobs() + " backlog jobs, "
        + Math.round((System.nanoTime() - warmUpStart) / 1e9) + " s"
        + (warmUp.unended() > 0 ? ", " + warmUp.unended() + " of its jobs unended" : ", every job ended"));
    List<PriorityRound> rounds = new ArrayList<>();
    try {
      for (int i = 1; i <= options.rounds(); i++) {
        rounds.add(round(stack, options, "round-" + i, drainTimeout, result));
      }
    } finally {
      result.figures(PriorityFigures.of(rounds));
    }
    run.stacks().closeCurrent();
  }

  static Map<String, String> overrides(PriorityOptions options) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put(BenchmarkStack.LOCAL_MODE, "prerendered");
    overrides.put(BenchmarkStack.LOCAL_LATENCY, options.providerLatency().toMillis() + "ms");
    options.maxInFlight().ifPresent(inFlight -> overrides.put(BenchmarkStack.MAX_IN_FLIGHT, Integer.toString(inFlight)));
    // One tenant queues the whole backlog, topping-up included.
    overrides.put(BenchmarkStack.ADMISSION_MAX_QUEUED, Integer.toString(Math.max(10_000, 2 * options.backlog())));
    // No queued job of the run may be failed by the watchdog, however long the backlog takes.
    long drainMinutes = (long) Math.ceil(options.idealStartSeconds(options.backlog()) / 60);
    overrides.put(QUEUED_DEADLINE, Math.max(60, 4 * drainMinutes) + "m");
    return overrides;
  }

  /** How long a round's jobs may take to end: three times the best case, at least five minutes. */
  static Duration drainTimeout(PriorityOptions options) {
    double best = options.idealStartSeconds(options.backlog() + PROBES.size())
        + options.providerLatency().toMillis() / 1000.0;
    return Duration.ofSeconds(Math.max(300, (long) Math.ceil(3 * best)));
  }

  private PriorityRound round(BenchmarkStack stack, PriorityOptions options, String label, Duration drainTimeout,
      ScenarioResult.Builder result) {
    JobRequests requests = new JobRequests(JobRequests.newProject(name() + "-" + label));
    Duration fillDeadline = Duration.ofSeconds(Math.max(120, options.backlog() / 10));
    LOG.info("{} {}: queueing {} {} jobs", name(), label, options.backlog(), BACKLOG_PRIORITY);
    BacklogFill fill = BacklogFill.queue(stack, requests, BACKLOG_PRIORITY, options.backlog(), fillDeadline);
    Map<String, String> probes = new LinkedHashMap<>();
    long index = fill.submitted();
    for (String priority : PROBES) {
      probes.put(priority, submitProbe(stack, requests.body(index++, priority), priority));
    }
    LOG.info("{} {}: {} jobs accepted in {} s, probes submitted; waiting for every job to end", name(), label,
        fill.accepted(), Numbers.format(fill.seconds()));
    long unfinished = stack.awaitAllJobsEnded(drainTimeout);
    List<JobTimes> jobs = stack.gateway().jobsOfProject(requests.project(), LIST_PAGE_TIMEOUT).stream()
        .map(JobTimes::of).toList();
    PriorityRound round = PriorityRound.of(jobs, probes, fill.seconds());
    LOG.info("{} {}: waits to start {} s, {} queued ahead, {} jobs/s, drained in {} s", name(), label, round.waits(),
        round.queuedAhead(), Numbers.format(round.startRate()), Numbers.format(round.drainSeconds()));
    if (fill.accepted() < fill.submitted()) {
      result.note(label + ": " + (fill.submitted() - fill.accepted()) + " of " + fill.submitted()
          + " backlog requests not accepted, answers " + fill.answers());
    }
    if (unfinished > 0) {
      result.note(label + ": " + unfinished + " jobs had not ended " + drainTimeout.toSeconds()
          + " s after the probes; the next round starts on them");
    }
    return round;
  }

  private static String submitProbe(BenchmarkStack stack, String body, String priority) {
    PostOutcome outcome = stack.gateway().submit(body).timeout(WindowedLoad.REQUEST_TIMEOUT).block();
    if (outcome == null || outcome.status() != 202) {
      throw new IllegalStateException("The " + priority + " probe was answered "
          + (outcome == null ? "nothing" : outcome.status()));
    }
    stack.jobsAccepted().incrementAndGet();
    return outcome.jobId();
  }
}
