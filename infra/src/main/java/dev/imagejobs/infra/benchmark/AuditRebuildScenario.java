package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.Topics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast the audit tool rebuilds the read model from the lifecycle topic
 * ({@code verify-read-model}: a replay through the projection's code into a fresh schema, then a
 * comparison with the live read model), and whether it finds the two equal. Runs on the throughput
 * scenario's stack when both run, else loads a stack with jobs first.
 */
final class AuditRebuildScenario implements Scenario {

  private static final Pattern REPLAYED = Pattern.compile("Replayed (\\d+) events");
  private static final Pattern COMPARED = Pattern.compile("(\\d+) jobs compared, (\\d+) differences");

  @Override
  public String name() {
    return "audit-rebuild";
  }

  @Override
  public String title() {
    return "read-model rebuild by the audit tool";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    Path jar = run.auditJar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("No audit tool at " + jar + "; build it: ./mvnw -B -DskipTests package -pl "
          + "infra,audit-tool -am");
    }
    StackProvider.Lease lease = run.stacks().shared(name(), Map.of());
    BenchmarkStack stack = StackNotes.describe(lease, result);
    if (stack.jobsAccepted().get() == 0) {
      int jobs = run.options().scaled(20_000, 2_000);
      Burst burst = Burst.submit(stack, jobs, new JobRequests(JobRequests.newProject(name()))::body,
          Duration.ofMinutes(30));
      result.setting("jobs loaded first", jobs + " (" + burst.accepted().size() + " accepted in "
          + Numbers.format(burst.seconds()) + " s)");
    }
    long unfinished = stack.awaitAllJobsEnded(run.drainTimeout());
    if (unfinished > 0) {
      result.note(unfinished + " jobs had not ended when the rebuild started; they show as skipped, not as differences");
    }
    long events;
    try (KafkaTopics topics = new KafkaTopics(stack.bootstrapServers())) {
      events = topics.endOffsetSum(Topics.LIFECYCLE.name());
    }
    Path log = run.out().resolve(name() + ".log");
    Files.createDirectories(run.out());
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar.toString(), "verify-read-model");
    result.setting("jobs on the stack", stack.jobsAccepted().get())
        .setting("lifecycle records", events)
        .setting("command", String.join(" ", command.subList(1, command.size())) + " (default JVM options)")
        .setting("output", log.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(Map.of(
        "SPRING_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
        "IMAGEJOBS_DATABASE_HOST", "localhost",
        "IMAGEJOBS_DATABASE_PORT", Integer.toString(stack.postgresPort()),
        "IMAGEJOBS_DATABASE_NAME", "imagejobs",
        "IMAGEJOBS_DATABASE_USERNAME", "postgres",
        "IMAGEJOBS_DATABASE_PASSWORD", ""));
    Duration timeout = run.options().scaled(Duration.ofMinutes(20), Duration.ofMinutes(5));
    long started = System.nanoTime();
    Process audit = builder.start();
    try {
      if (!audit.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("The audit tool took longer than " + timeout.toMinutes() + " min; see " + log);
      }
    } finally {
      if (audit.isAlive()) {
        audit.destroyForcibly();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String output = Files.readString(log);
    Matcher replayed = REPLAYED.matcher(output);
    Matcher compared = COMPARED.matcher(output);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("events", events);
    values.put("wall time s", seconds);
    values.put("events/s", events / seconds);
    result.figure(new Figure("read-model rebuild", "", values,
        "events = lifecycle end offsets; wall time of the whole verify-read-model process (JVM start, replay, "
            + "comparison)"));
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("exit code", audit.exitValue());
    verdict.put("events replayed", replayed.find() ? Long.parseLong(replayed.group(1)) : "not reported");
    boolean reported = compared.find();
    verdict.put("jobs compared", reported ? Long.parseLong(compared.group(1)) : "not reported");
    verdict.put("differences", reported ? Long.parseLong(compared.group(2)) : "not reported");
    result.figure(new Figure("audit verdict", "", verdict, "exit code 0 = rebuilt read model equal to the live one"));
    if (audit.exitValue() != 0) {
      result.note("The audit tool exited with " + audit.exitValue() + "; see " + log);
    }
  }
}
