package dev.imagejobs.infra.faults;

import dev.imagejobs.infra.LocalStack;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** {@code ./fault-run}: its options, the run, and the report printed and written as markdown and JSON. */
final class FaultRunCommand {
  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: ./fault-run [options]",
      "Starts a stack with every service as several processes, submits jobs (one in 10 fails and is retried,",
      "one in 10 is canceled), kills instances with SIGKILL along the way and counts what was lost,",
      "duplicated or called twice; compares the read model with the audit tool's rebuild and checks a",
      "project event stream that resumes on another gateway. Exit code 0 when every guarantee held.",
      "  --instances N     processes per service (2)",
      "  --jobs N          jobs submitted (300)",
      "  --rate R          jobs per second (10)",
      "  --latency-ms N    the local provider's time per image (1500)",
      "  --kill A,B,...    processes killed, spread over the middle of the load",
      "                    (gateway-service-2,generation-service,upload-service-2,streams-service)",
      "  --timeout-s N     how long the jobs may take to end after the load (300)",
      "  --out DIR         where report.md, report.json, the stack's logs and state go",
      "                    (fault-run-results/<UTC timestamp>)");

  private FaultRunCommand() {}

  static void main(String[] args, PrintStream out) throws Exception {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println(USAGE);
        return;
      }
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        out.println("Unknown option " + args[i] + System.lineSeparator() + USAGE);
        System.exit(2);
      }
      given.put(args[i].substring(2), args[++i]);
    }
    Path outDir = Path.of(given.getOrDefault("out", "fault-run-results/"
        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())));
    Files.createDirectories(outDir);
    FaultRun.Options options = new FaultRun.Options(
        Integer.parseInt(given.getOrDefault("instances", "2")),
        Integer.parseInt(given.getOrDefault("jobs", "300")),
        Double.parseDouble(given.getOrDefault("rate", "10")),
        Duration.ofMillis(Long.parseLong(given.getOrDefault("latency-ms", "1500"))),
        List.copyOf(Arrays.asList(given.getOrDefault("kill",
            "gateway-service-2,generation-service,upload-service-2,streams-service").split(","))),
        Duration.ofSeconds(Long.parseLong(given.getOrDefault("timeout-s", "300"))),
        outDir.resolve("state").toAbsolutePath());
    Path home = LocalStack.defaultHome();
    FaultReport report = FaultRun.run(options, home);
    String text = report.text();
    Files.writeString(outDir.resolve("report.md"), "# Fault run\n\n" + text);
    Files.writeString(outDir.resolve("report.json"), JsonMapper.builder().build().writerWithDefaultPrettyPrinter()
        .writeValueAsString(report.figures()));
    out.println(text);
    out.println("Report: " + outDir.resolve("report.md") + " and " + outDir.resolve("report.json"));
    System.exit(report.passed() ? 0 : 1);
  }
}
