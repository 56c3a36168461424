package dev.imagejobs.infra.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of the benchmark measures, from its command line.
 *
 * @param scenarios the scenarios to run, in the order they run
 * @param duration the measured window of each load scenario, after {@code warmup}
 * @param warmup load offered before every measured window and excluded from every figure
 * @param stackWarmup load offered to each fresh stack before its first scenario, so the services' JIT
 *     compilation (minutes of both cores for five JVMs on a small machine) is not measured as the pipeline
 * @param rate the offered rate of {@code throughput} in requests per second ({@code overload} offers three times it)
 * @param out the directory the results are written to
 * @param quick every duration and count shrunk, for a smoke run of a few minutes
 * @param profile record a JFR profile of each service and sample PostgreSQL's wait events during each window
 * @param keepState keep each stack's state directory instead of deleting it
 * @param priority what the {@code priority} scenario runs with
 * @param help print the usage and nothing else
 */
public record BenchmarkOptions(
    List<String> scenarios,
    Duration duration,
    Duration warmup,
    Duration stackWarmup,
    int rate,
    Path out,
    boolean quick,
    boolean profile,
    boolean keepState,
    PriorityOptions priority,
    boolean help) {

  /** Every scenario, in the order a full run takes them (stacks with equal settings are shared in this order). */
  public static final List<String> ALL_SCENARIOS = List.of(
      "ceilings", "post-latency", "overhead", "throughput", "audit-rebuild", "overload", "provider-latency",
      "priority", "sse-fanout");

  static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
  static final Duration DEFAULT_WARMUP = Duration.ofSeconds(15);
  static final Duration QUICK_DURATION = Duration.ofSeconds(10);
  static final Duration QUICK_WARMUP = Duration.ofSeconds(5);
  static final Duration DEFAULT_STACK_WARMUP = Duration.ofMinutes(10);
  static final Duration QUICK_STACK_WARMUP = Duration.ofSeconds(45);
  /** Offered to a fresh stack during {@link #stackWarmup}: low enough for a cold stack to keep up. */
  static final int STACK_WARMUP_RATE = 50;
  static final int DEFAULT_RATE = 1000;

  public static final String USAGE = String.join(System.lineSeparator(),
      "Usage: ./benchmark [--scenarios a,b,c] [--duration 60s] [--warmup 15s] [--stack-warmup 10m] [--rate N]",
      "                   [--out DIR] [--quick] [--profile] [--keep-state] [--priority-backlog N] [--priority-rounds N]",
      "                   [--priority-provider-latency D] [--priority-max-in-flight N] [--help]",
      "Measures Image Jobs on this machine: each scenario runs on a fresh local stack (real Kafka, PostgreSQL with",
      "durable commits, every service with deployment JVM flags, the local provider) and prints its figures with the",
      "settings they were measured with; results.json and results.md go to the output directory.",
      "",
      "Options:",
      "  --scenarios LIST  comma-separated, default all: " + String.join(",", ALL_SCENARIOS),
      "  --duration D      measured window of each load scenario (default 60s; 10s with --quick)",
      "  --warmup D        load before each window, never counted (default 15s; 5s with --quick)",
      "  --stack-warmup D  " + STACK_WARMUP_RATE + " jobs/s offered to each fresh stack before its first scenario, never",
      "                    counted, until the services' JIT has compiled the hot paths (default 10m; 45s with --quick)",
      "  --rate N          offered requests/s of throughput; overload offers 3 x N (default 1000)",
      "  --out DIR         where results go (default benchmark-results/<UTC timestamp>/)",
      "  --quick           shrink every duration and count: a smoke run of a few minutes",
      "  --profile         JFR profile of each service during each window (<out>/<scenario>-<service>.jfr),",
      "                    top methods and PostgreSQL wait events in <out>/<scenario>-profile-summary.txt",
      "  --keep-state      keep each stack's state directory (logs, data) instead of deleting it",
      "  --priority-backlog N",
      "                    normal jobs queued ahead of the probes in each round of priority (default "
          + PriorityOptions.DEFAULT_BACKLOG + "; " + PriorityOptions.QUICK_BACKLOG + " with --quick)",
      "  --priority-rounds N",
      "                    measured rounds of priority, after one warm-up round never reported (default "
          + PriorityOptions.DEFAULT_ROUNDS + "; " + PriorityOptions.QUICK_ROUNDS + " with --quick)",
      "  --priority-provider-latency D",
      "                    the local provider's time per image in priority (default "
          + PriorityOptions.DEFAULT_PROVIDER_LATENCY.toSeconds() + "s)",
      "  --priority-max-in-flight N",
      "                    generation's jobs in flight in priority (default: the service's, "
          + PriorityOptions.SERVICE_MAX_IN_FLIGHT + ")",
      "  --help, -h        this text",
      "Durations: 500ms, 15s, 2m or a number of seconds.",
      "",
      "Scenarios:",
      "  ceilings          the machine's own limits: durable PostgreSQL commits/s (1 and 8 connections), Kafka",
      "                    records/s (acks=all, idempotent), fsync/s of the state directory's disk (1 and 8 threads)",
      "  post-latency      POST /api/v1/images/jobs -> 202 latency at a constant 200 requests/s, open loop",
      "  overhead          pipeline overhead at 100 jobs/s: completed event on the project stream - 202 - provider latency",
      "  throughput        offered, accepted and completed jobs/s at --rate, backlog, CPU, memory and heap per process",
      "  audit-rebuild     read-model rebuild of the audit tool: events replayed/s and whether it found differences",
      "  overload          3 x --rate for 30s: POST latency, answers by status, Retry-After, client timeouts",
      "  provider-latency  2,000 jobs at once with a 2 s provider, 32 and 256 in flight: time to the last completion",
      "  priority          wait to start of a high, a normal and a low job queued behind 1,000 normal jobs on a 2 s",
      "                    provider, per round and median (about 8 min with the defaults, 3 min with --quick)",
      "  sse-fanout        10,000 event-stream subscribers on one gateway: connections, delivery latency, CPU/event");

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  public BenchmarkOptions {
    scenarios = List.copyOf(scenarios);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
    if (stackWarmup.isNegative()) {
      throw new IllegalArgumentException("--stack-warmup must not be negative");
    }
    if (rate < 1) {
      throw new IllegalArgumentException("--rate must be at least 1");
    }
  }

  /**
   * Reads the command line.
   *
   * @param now the run's start, which names the default output directory
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  public static BenchmarkOptions parse(List<String> args, Instant now) {
    List<String> scenarios = ALL_SCENARIOS;
    Duration duration = null;
    Duration warmup = null;
    Duration stackWarmup = null;
    int rate = DEFAULT_RATE;
    Path out = null;
    boolean quick = false;
    boolean profile = false;
    boolean keepState = false;
    boolean help = false;
    Integer priorityBacklog = null;
    Integer priorityRounds = null;
    Duration priorityProviderLatency = PriorityOptions.DEFAULT_PROVIDER_LATENCY;
    OptionalInt priorityMaxInFlight = OptionalInt.empty();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--quick" -> quick = true;
        case "--profile" -> profile = true;
        case "--keep-state" -> keepState = true;
        case "--scenarios" -> scenarios = scenarios(value(args, ++i, arg));
        case "--duration" -> duration = duration(value(args, ++i, arg), arg);
        case "--warmup" -> warmup = duration(value(args, ++i, arg), arg);
        case "--stack-warmup" -> stackWarmup = duration(value(args, ++i, arg), arg);
        case "--rate" -> rate = number(value(args, ++i, arg), arg);
        case "--out" -> out = Path.of(value(args, ++i, arg));
        case "--priority-backlog" -> priorityBacklog = number(value(args, ++i, arg), arg);
        case "--priority-rounds" -> priorityRounds = number(value(args, ++i, arg), arg);
        case "--priority-provider-latency" -> priorityProviderLatency = duration(value(args, ++i, arg), arg);
        case "--priority-max-in-flight" -> priorityMaxInFlight = OptionalInt.of(number(value(args, ++i, arg), arg));
        default -> throw new IllegalArgumentException("Unknown argument '" + arg + "'");
      }
    }
    if (out == null) {
      out = Path.of("benchmark-results",
          DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC).format(now));
    }
    PriorityOptions priorityDefaults = PriorityOptions.defaults(quick);
    PriorityOptions priority = new PriorityOptions(
        priorityBacklog != null ? priorityBacklog : priorityDefaults.backlog(),
        priorityRounds != null ? priorityRounds : priorityDefaults.rounds(),
        priorityProviderLatency, priorityMaxInFlight);
    return new BenchmarkOptions(scenarios,
        duration != null ? duration : quick ? QUICK_DURATION : DEFAULT_DURATION,
        warmup != null ? warmup : quick ? QUICK_WARMUP : DEFAULT_WARMUP,
        stackWarmup != null ? stackWarmup : quick ? QUICK_STACK_WARMUP : DEFAULT_STACK_WARMUP,
        rate, out, quick, profile, keepState, priority, help);
  }

  /** {@code full} normally, {@code quick} in a quick run. */
  <T> T scaled(T full, T quick) {
    return this.quick ? quick : full;
  }

  /** Parses {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h} or a plain number of seconds. */
  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("Not a duration: '" + text + "' (use 500ms, 15s, 2m or 1h)");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "s" : matcher.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  private static List<String> scenarios(String list) {
    List<String> chosen = new ArrayList<>();
    for (String name : list.split(",")) {
      String scenario = name.trim();
      if (scenario.isEmpty()) {
        continue;
      }
      if (!ALL_SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException("Unknown scenario '" + scenario + "'; known: " + String.join(",", ALL_SCENARIOS));
      }
      if (!chosen.contains(scenario)) {
        chosen.add(scenario);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("--scenarios names no scenario");
    }
    // The canonical order, so stacks with the same settings are shared and audit-rebuild follows throughput.
    return ALL_SCENARIOS.stream().filter(chosen::contains).toList();
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }

  private static Duration duration(String text, String option) {
    try {
      return parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private static int number(String text, String option) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a whole number, got '" + text + "'", e);
    }
  }
}
