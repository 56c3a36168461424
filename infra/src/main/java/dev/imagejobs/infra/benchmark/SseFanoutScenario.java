package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Event-stream fan-out on one gateway: up to 10,000 concurrent subscribers, half on project streams
 * (100 projects) and half on job streams of live jobs, while jobs generate events at a moderate
 * rate. Per subscriber level (one per project as the reference, then 1,000 and 10,000): how many
 * streams connected, the delivery latency of every copy, and the gateway's CPU per delivered copy
 * and per produced event, so a reader sees whether one event's cost grows with the subscribers.
 *
 * <p>The job streams must stay open while the load runs, so their jobs must not end: the stack's
 * provider takes an hour (the watchdog and the provider timeout are raised beyond that). The jobs
 * that generate the measured events therefore stop after their first three events ({@code JobRequested},
 * {@code JobStarted}, {@code GenerationStarted}); those are the events delivered and measured.
 */
final class SseFanoutScenario implements Scenario {

  private static final int PROJECTS = 100;
  private static final double JOBS_PER_SECOND = 50;
  private static final int JOB_STREAMS_PER_JOB = 5;
  private static final double CONNECTS_PER_SECOND = 500;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
  private static final String SLOW = "1h";
  private static final String BEYOND_SLOW = "3h";

  /** A subscriber level: project streams (spread evenly over the projects) and job streams. */
  private record Level(String label, int projectStreams, int jobStreams) {
    int total() {
      return projectStreams + jobStreams;
    }
  }

  @Override
  public String name() {
    return "sse-fanout";
  }

  @Override
  public String title() {
    return "event-stream fan-out to thousands of subscribers";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    int most = run.options().scaled(10_000, 1_000);
    List<Level> levels = new ArrayList<>();
    levels.add(new Level("reference (1 per project)", PROJECTS, 0));
    levels.add(new Level("1000 subscribers", 500, 500));
    if (most > 1_000) {
      levels.add(new Level(most + " subscribers", most / 2, most / 2));
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put(BenchmarkStack.LOCAL_LATENCY, SLOW);
    overrides.put(BenchmarkStack.MAX_IN_FLIGHT, "100000");
    overrides.put("IMAGEJOBS_GENERATION_PROVIDER_TIMEOUT", BEYOND_SLOW);
    overrides.put("IMAGEJOBS_WATCHDOG_QUEUED_DEADLINE", BEYOND_SLOW);
    overrides.put("IMAGEJOBS_WATCHDOG_PROCESSING_DEADLINE", BEYOND_SLOW);
    overrides.put("IMAGEJOBS_WATCHDOG_GENERATING_DEADLINE", BEYOND_SLOW);
    // Every subscriber is of one tenant, on one gateway: allow them all, with room for reconnects.
    overrides.put("IMAGEJOBS_SSE_MAX_STREAMS", Integer.toString(2 * most));
    overrides.put("IMAGEJOBS_SSE_MAX_STREAMS_PER_TENANT", Integer.toString(2 * most));
    BenchmarkStack stack = run.stacks().fresh(name(), overrides);
    result.settings(stack.facts());
    Duration warmup = run.options().warmup();
    Duration duration = run.options().duration();
    result.setting("subscriber levels", levels.stream().map(level -> level.label() + ": " + level.projectStreams()
            + " project + " + level.jobStreams() + " job streams").toList())
        .setting("projects", PROJECTS)
        .setting("event load", Numbers.format(JOBS_PER_SECOND) + " jobs/s open loop, round robin over the projects, "
            + "3 events each (the provider never answers in time, see the note)")
        .setting("job streams", JOB_STREAMS_PER_JOB + " per live job")
        .setting("connects", Numbers.format(CONNECTS_PER_SECOND) + "/s, each answer awaited up to "
            + CONNECT_TIMEOUT.toSeconds() + " s")
        .setting("warm-up per level (excluded)", warmup.toSeconds() + " s")
        .setting("measured window per level", duration.toSeconds() + " s");
    result.note("Job streams stay open only on jobs that have not ended, so this stack's provider takes " + SLOW
        + ": every job stops after JobRequested, JobStarted and GenerationStarted, and those are the events measured.");
    checkOpenFiles(run, stack, most, result);

    List<String> projects = new ArrayList<>();
    for (int i = 0; i < PROJECTS; i++) {
      projects.add(JobRequests.newProject("fanout" + i));
    }
    int heldJobs = Math.max(1, levels.get(levels.size() - 1).jobStreams() / JOB_STREAMS_PER_JOB);
    Burst held = Burst.submit(stack, heldJobs, new JobRequests(JobRequests.newProject(name() + "-live"))::body,
        Duration.ofMinutes(10));
    List<String> heldIds = new ArrayList<>(held.accepted());
    result.setting("live jobs for job streams", heldIds.size() + " (accepted of " + heldJobs + ")");

    try (SseClient sse = new SseClient(stack.gatewayUrl(), stack.token());
        FanoutSubscribers subscribers = new FanoutSubscribers(sse, run.json());
        KafkaTopics topics = new KafkaTopics(stack.bootstrapServers())) {
      Map<String, Long> connectAnswers = new LinkedHashMap<>();
      int projectStreams = 0;
      int jobStreams = 0;
      for (Level level : levels) {
        List<String> paths = new ArrayList<>();
        for (int i = projectStreams; i < level.projectStreams(); i++) {
          paths.add(GatewayClient.PROJECT_EVENTS + projects.get(i % PROJECTS));
        }
        for (int i = jobStreams; i < level.jobStreams() && !heldIds.isEmpty(); i++) {
          paths.add(GatewayClient.JOBS + "/" + heldIds.get(i % heldIds.size()) + "/events");
        }
        projectStreams = level.projectStreams();
        jobStreams = level.jobStreams();
        long connectStart = System.nanoTime();
        subscribers.connect(paths, CONNECTS_PER_SECOND, CONNECT_TIMEOUT)
            .forEach((answer, count) -> connectAnswers.merge(answer, count, Long::sum));
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        measureLevel(run, stack, level, projects, subscribers, topics, connectSeconds, result);
      }
      result.figure(Figure.counts("stream connections by answer", connectAnswers,
          "every stream opened over the run; none = no answer within " + CONNECT_TIMEOUT.toSeconds() + " s"));
    }
    run.stacks().closeCurrent();
  }

  private void measureLevel(BenchmarkRun run, BenchmarkStack stack, Level level, List<String> projects,
      FanoutSubscribers subscribers, KafkaTopics topics, double connectSeconds, ScenarioResult.Builder result)
      throws Exception {
    long openAtStart = subscribers.open();
    long[] lifecycle = new long[2];
    FanoutSubscribers.Measurement[] measurement = new FanoutSubscribers.Measurement[1];
    WindowedLoad.Outcome outcome = WindowedLoad.run(run, stack, name() + "-" + level.total(), JOBS_PER_SECOND,
        run.options().warmup(), run.options().duration(),
        index -> new JobRequests(projects.get((int) (index % projects.size()))).body(index),
        (index, jobId, intended, answered, measured) -> { },
        new WindowedLoad.Hooks() {
          @Override
          public void windowOpened() {
            lifecycle[0] = topics.endOffsetSum(Topics.LIFECYCLE.name());
            measurement[0] = subscribers.startMeasurement();
          }

          @Override
          public void windowClosed() {
            subscribers.closeWindow(measurement[0]);
            lifecycle[1] = topics.endOffsetSum(Topics.LIFECYCLE.name());
          }
        });
    FanoutSubscribers.Measurement copies = measurement[0];
    double perProject = level.projectStreams() / (double) PROJECTS;
    // Late copies of window events still count, for a while: a slow gateway shows as latency, not as loss.
    Duration grace = run.options().scaled(Duration.ofSeconds(60), Duration.ofSeconds(30));
    long deadline = System.nanoTime() + grace.toNanos();
    while (copies.copies() < Math.round(copies.events() * perProject) && System.nanoTime() < deadline) {
      Waits.sleep(Duration.ofMillis(200));
    }
    subscribers.stopMeasurement();
    long openAtEnd = subscribers.open();
    long produced = lifecycle[1] - lifecycle[0];
    double expected = copies.events() * perProject;
    double gatewaySeconds = outcome.probes().cpu().stream()
        .filter(share -> share.process().equals(BenchmarkStack.GATEWAY))
        .mapToDouble(MeasuredWindow.CpuShare::seconds).findFirst().orElse(Double.NaN);
    double gatewayCore = outcome.probes().cpu().stream()
        .filter(share -> share.process().equals(BenchmarkStack.GATEWAY))
        .mapToDouble(MeasuredWindow.CpuShare::percentOfCore).findFirst().orElse(Double.NaN);
    String label = level.label();

    Map<String, Object> streams = new LinkedHashMap<>();
    streams.put("project streams", level.projectStreams());
    streams.put("job streams", level.jobStreams());
    streams.put("open at window start", openAtStart);
    streams.put("open at the end", openAtEnd);
    streams.put("connecting took s", connectSeconds);
    result.figure(new Figure(label + ": subscribers", "", streams, "open = answered 200 and not ended"));
    result.figure(Figure.latency(label + ": delivery latency", copies.latency(),
        "every copy of every event of the window (by its updatedAt): arrival - updatedAt, same machine clock; "
            + "copies arriving up to " + grace.toSeconds() + " s after the window count"));
    Map<String, Object> events = new LinkedHashMap<>();
    events.put("produced (lifecycle records)", produced);
    events.put("window events seen", copies.events());
    events.put("copies delivered", copies.copies());
    events.put("copies expected", Math.round(expected));
    events.put("delivered %", Numbers.percent(copies.copies(), expected));
    result.figure(new Figure(label + ": events of the window", "", events,
        "expected = window events x project streams per project (" + Numbers.format(perProject) + ")"));
    Map<String, Object> cost = new LinkedHashMap<>();
    cost.put("gateway % of one core", gatewayCore);
    cost.put("copies sent/s", copies.arrivals() / outcome.probes().seconds());
    cost.put("µs per copy sent", 1e6 * Numbers.ratio(gatewaySeconds, copies.arrivals()));
    cost.put("µs per produced event", 1e6 * Numbers.ratio(gatewaySeconds, produced));
    result.figure(new Figure(label + ": gateway CPU", "", cost,
        "gateway CPU time over the window, per copy that arrived in it and per lifecycle record written in it "
            + "(the gateway also serves the POSTs of the event load and runs the projection)"));
    result.figure(Figure.latency(label + ": POST latency of the event load", outcome.load().latency(),
        Numbers.format(JOBS_PER_SECOND) + " jobs/s, open loop"));
    if (copies.unreadable() > 0 || copies.negative() > 0) {
      result.note(label + ": " + copies.unreadable() + " copies without a readable job view, " + copies.negative()
          + " received before their updatedAt");
    }
    if (run.options().profile()) {
      outcome.probes().figures().stream()
          .filter(figure -> figure.name().startsWith("PostgreSQL"))
          .map(figure -> new Figure(label + ": " + figure.name(), figure.unit(), figure.values(), figure.note()))
          .forEach(result::figure);
    }
  }

  private void checkOpenFiles(BenchmarkRun run, BenchmarkStack stack, int subscribers, ScenarioResult.Builder result) {
    long needed = subscribers + 1_000L;
    long client = run.machine().openFilesLimit();
    OptionalLong gateway = ProcStatus.openFilesLimit(stack.processIds().getOrDefault(BenchmarkStack.GATEWAY, -1L));
    result.setting("open files limit (client / gateway)", (client < 0 ? "unknown" : client) + " / "
        + (gateway.isPresent() ? gateway.getAsLong() : "unknown"));
    if (client >= 0 && client < needed || gateway.isPresent() && gateway.getAsLong() < needed) {
      result.note("The open files limit is below the " + needed + " that " + subscribers + " streams need: raise it "
          + "(ulimit -n) or expect connection failures");
    }
  }
}
