package dev.imagejobs.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line entry point of the audit tool. Read-only: it reads the lifecycle topic without a
 * consumer group and never publishes; {@code verify-read-model} writes only to a fresh schema of its
 * own. Exit codes: 0 success (and no difference), 1 differences found, 2 usage error, 3 failure.
 */
public final class AuditTool {
  static final int OK = 0;
  static final int DIFFERENCES = 1;
  static final int USAGE_ERROR = 2;
  static final int FAILURE = 3;

  static final String USAGE = String.join(System.lineSeparator(),
      "Usage:",
      "  audit history --job <jobId>",
      "  audit history --project <projectId> [--from <ISO-8601 instant>] [--to <ISO-8601 instant>]",
      "  audit verify-read-model [--keep-schema]",
      "Reads the services' settings (docs/configuration.md): SPRING_KAFKA_BOOTSTRAP_SERVERS and",
      "IMAGEJOBS_DATABASE_HOST/PORT/NAME/USERNAME/PASSWORD (defaults: the local stack), IMAGEJOBS_DATABASE_SSL_MODE,",
      "IMAGEJOBS_TOPICS_PREFIX,",
      "and the Kafka client variables: SPRING_KAFKA_SECURITY_PROTOCOL,",
      "SPRING_KAFKA_SSL_TRUST_STORE_* / KEY_STORE_*, SPRING_KAFKA_PROPERTIES_<NAME> (e.g. _SASL_JAAS_CONFIG).");

  private final AuditSettings settings;
  private final PrintWriter out;
  private final Clock clock;

  AuditTool(AuditSettings settings, PrintWriter out, Clock clock) {
    this.settings = settings;
    this.out = out;
    this.clock = clock;
  }

  public static void main(String[] args) {
    if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) {
      System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.imagejobs.schemas.avro");
    }
    // The report is this program's output, so it goes to standard output.
    PrintWriter out = new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
    AuditSettings.renamedIn(System.getenv()).forEach(renamed -> System.err.println("Warning: " + renamed));
    AuditSettings settings;
    try {
      settings = AuditSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      out.println("Invalid setting: " + e.getMessage());
      out.flush();
      System.exit(USAGE_ERROR);
      return;
    }
    int code = new AuditTool(settings, out, Clock.systemUTC()).run(args);
    out.flush();
    System.exit(code);
  }

  int run(String... args) {
    try {
      if (args.length == 0) {
        return usage("No command given");
      }
      Map<String, String> options = options(List.of(args).subList(1, args.length));
      TopicReader reader = new TopicReader(settings);
      return switch (args[0]) {
        case "history" -> history(reader, options);
        case "verify-read-model" -> verify(reader, options.containsKey("--keep-schema"));
        default -> usage("Unknown command " + args[0]);
      };
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return usage(e.getMessage());
    } catch (RuntimeException e) {
      out.println("Audit failed: " + e.getMessage());
      out.flush();
      return FAILURE;
    }
  }

  private int history(TopicReader reader, Map<String, String> options) {
    HistoryPrinter printer = new HistoryPrinter(reader, out);
    if (options.containsKey("--job")) {
      // A job without any event exits non-zero, so scripts notice a wrong id.
      return printer.job(options.get("--job")) > 0 ? OK : DIFFERENCES;
    }
    if (options.containsKey("--project")) {
      Instant from = options.containsKey("--from") ? Instant.parse(options.get("--from")) : Instant.EPOCH;
      Instant to = options.containsKey("--to") ? Instant.parse(options.get("--to")) : Instant.MAX;
      printer.project(options.get("--project"), from, to);
      return OK;
    }
    return usage("history needs --job or --project");
  }

  private int verify(TopicReader reader, boolean keepSchema) {
    ReadModelRebuild.Result rebuild = new ReadModelRebuild(settings, reader, clock).run();
    out.printf(Locale.ROOT, "Replayed %d events into schema %s in %.2f s (%.0f events/s, %d writers; %d undecodable records"
        + " skipped, as the projection dead-letters them)%n", rebuild.applied(), rebuild.schema(),
        rebuild.replay().toNanos() / 1e9, rebuild.eventsPerSecond(), rebuild.writers(), rebuild.undecodable());
    ReadModelComparison.Report report = new ReadModelComparison(settings).compare(settings.liveSchema(), rebuild.schema());
    report.differences().forEach(difference -> out.println("DIFFERENCE " + difference));
    if (!report.inFlight().isEmpty()) {
      out.println("Skipped " + report.inFlight().size() + " jobs changed after the replay started: " + report.inFlight());
    }
    if (!report.commandsEarlier().isEmpty()) {
      out.println(report.commandsEarlier().size() + " jobs hold a cancel earlier in the live history than in the topic, "
          + "where the gateway accepted it (no difference): " + report.commandsEarlier());
    }
    out.printf("%d jobs compared, %d differences%n", report.jobsCompared(), report.differences().size());
    if (keepSchema) {
      out.println("Rebuilt read model kept in schema " + rebuild.schema());
    } else {
      ReadModelRebuild.drop(settings, rebuild.schema());
    }
    out.flush();
    return report.matches() ? OK : DIFFERENCES;
  }

  private int usage(String problem) {
    out.println(problem);
    out.println(USAGE);
    out.flush();
    return USAGE_ERROR;
  }

  private static Map<String, String> options(List<String> args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (!name.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument " + name);
      }
      boolean flag = name.equals("--keep-schema");
      if (!flag && i + 1 >= args.size()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      options.put(name, flag ? "" : args.get(++i));
    }
    return options;
  }
}
