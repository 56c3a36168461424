package dev.imagejobs.infra.benchmark;

import dev.imagejobs.infra.AuditProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the chosen scenarios one after the other, each on the stack it needs, and reports: the
 * table on standard output, {@code results.json} and {@code results.md} in the output directory
 * (rewritten after every scenario, so a run that fails half-way keeps what it measured). A scenario
 * that fails is reported with its error and the run goes on; the exit code says whether any failed.
 */
public final class BenchmarkRunner {

  private static final Logger LOG = LoggerFactory.getLogger(BenchmarkRunner.class);

  private final BenchmarkOptions options;
  private final Path home;
  private final Map<String, String> environment;
  private final PrintWriter out;
  private final Map<String, Scenario> scenarios;

  /**
   * @param home the stack's distribution ({@code infra/target/local-stack})
   * @param environment the benchmark's environment; what it does not set reaches the services
   * @param out where the table goes
   */
  public BenchmarkRunner(BenchmarkOptions options, Path home, Map<String, String> environment, PrintWriter out) {
    this.options = options;
    this.home = home;
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.scenarios = Stream.of(new CeilingsScenario(), new PostLatencyScenario(), new OverheadScenario(),
            new ThroughputScenario(), new AuditRebuildScenario(), new OverloadScenario(), new ProviderLatencyScenario(),
            new PriorityScenario(), new SseFanoutScenario())
        .collect(Collectors.toMap(Scenario::name, Function.identity()));
  }

  /** Runs every chosen scenario; 0 when all of them ran to the end, 1 otherwise. */
  public int run() {
    Instant started = Instant.now();
    MachineFacts machine = MachineFacts.read();
    JsonMapper json = JsonMapper.builder().build();
    createDirectories(options.out());
    List<ScenarioResult> results = new ArrayList<>();
    int failed = 0;
    StackProvider stacks = new StackProvider(home, environment, options.keepState(),
        options.scaled(Duration.ofMinutes(5), Duration.ofMinutes(2)), options.stackWarmup(), json);
    // Ctrl-C: each stack stops its processes by itself; this also deletes its state directory.
    Thread cleanUp = new Thread(stacks::close, "benchmark-clean-up");
    Runtime.getRuntime().addShutdownHook(cleanUp);
    try {
      BenchmarkRun run = new BenchmarkRun(options, machine, stacks, json,
          new ProcessGroupCpu(ProcessGroupCpu.ticksPerSecond()), new Jcmd(Path.of(System.getProperty("java.home"))),
          AuditProcess.jar(home));
      ClientWarmup.run(options.scaled(Duration.ofSeconds(15), Duration.ofSeconds(5)), json);
      for (String name : options.scenarios()) {
        Scenario scenario = scenarios.get(name);
        ScenarioResult.Builder result = new ScenarioResult.Builder(scenario.name(), scenario.title());
        Instant scenarioStart = Instant.now();
        LOG.info("=== {}: {}", scenario.name(), scenario.title());
        try {
          scenario.run(run, result);
        } catch (Exception | Error e) {
          failed++;
          LOG.error("{} failed", scenario.name(), e);
          result.note("FAILED: " + e);
          // A stack a scenario failed on is in an unknown state: the next one starts afresh.
          stacks.closeCurrent();
        }
        results.add(result.build(Duration.between(scenarioStart, Instant.now())));
        write(new BenchmarkReport(started, Duration.between(started, Instant.now()), machine.describe(),
            describe(options), results), json);
      }
    } finally {
      stacks.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanUp);
      } catch (IllegalStateException e) {
        // Already shutting down.
      }
    }
    BenchmarkReport report = new BenchmarkReport(started, Duration.between(started, Instant.now()), machine.describe(),
        describe(options), results);
    write(report, json);
    out.println(report.text());
    out.println("Results: " + options.out().resolve("results.md") + " and " + options.out().resolve("results.json"));
    out.flush();
    return failed == 0 ? 0 : 1;
  }

  private void write(BenchmarkReport report, JsonMapper json) {
    try {
      Files.writeString(options.out().resolve("results.json"), report.json(json));
      Files.writeString(options.out().resolve("results.md"), report.markdown());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the results to " + options.out(), e);
    }
  }

  static Map<String, String> describe(BenchmarkOptions options) {
    Map<String, String> described = new LinkedHashMap<>();
    described.put("scenarios", String.join(",", options.scenarios()));
    described.put("measured window", options.duration().toSeconds() + " s");
    described.put("warm-up (excluded)", options.warmup().toSeconds() + " s");
    described.put("--rate", Integer.toString(options.rate()));
    if (options.scenarios().contains("priority")) {
      PriorityOptions priority = options.priority();
      described.put("priority", "backlog " + priority.backlog() + ", " + priority.rounds() + " rounds, provider "
          + priority.providerLatency().toMillis() + " ms, max in flight "
          + (priority.maxInFlight().isPresent() ? priority.maxInFlight().getAsInt() : "service default"));
    }
    described.put("quick", Boolean.toString(options.quick()));
    described.put("profile", Boolean.toString(options.profile()));
    described.put("results", options.out().toAbsolutePath().toString());
    return described;
  }

  private static void createDirectories(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + directory, e);
    }
  }
}
