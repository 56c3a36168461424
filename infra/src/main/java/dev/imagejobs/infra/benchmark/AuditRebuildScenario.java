package dev.imagejobs.infra.benchmark;

import dev.imagejobs.infra.AuditProcess;
import dev.imagejobs.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How fast the audit tool rebuilds the read model from the lifecycle topic
 * ({@code verify-read-model}: a replay through the projection's code into a fresh schema, then a
 * comparison with the live read model), and whether it finds the two equal. Runs on the throughput
 * scenario's stack when both run, else loads a stack with jobs first.
 */
final class AuditRebuildScenario implements Scenario {


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
    // Before loading the stack for it.
    AuditProcess.requireJar(jar);
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
    List<String> command = AuditProcess.command(jar);
    result.setting("jobs on the stack", stack.jobsAccepted().get())
        .setting("rebuild writers", System.getenv().getOrDefault("IMAGEJOBS_AUDIT_REBUILD_WRITERS", "3 (the tool's default)"))
        .setting("lifecycle records", events)
        .setting("command", String.join(" ", command) + " (JVM options: "
            + System.getenv().getOrDefault("IMAGEJOBS_AUDIT_JAVA_OPTIONS", "the script's") + ")")
        .setting("output", log.toString());
    Duration timeout = run.options().scaled(Duration.ofMinutes(20), Duration.ofMinutes(5));
    AuditProcess.Result audit = AuditProcess.verifyReadModel(jar, stack.running(), Map.of(), log, timeout);
    Map<String, Object> replay = new LinkedHashMap<>();
    replay.put("events", reported(audit.eventsReplayed()));
    if (audit.replaySeconds().isPresent() && audit.eventsReplayed().isPresent()) {
      double seconds = audit.replaySeconds().getAsDouble();
      replay.put("replay s", seconds);
      replay.put("events/s", audit.eventsReplayed().getAsLong() / seconds);
    } else {
      replay.put("replay s", "not reported");
    }
    result.figure(new Figure("read-model rebuild", "", replay,
        "the tool's own report: events applied from the first record read to the last transaction committed"));
    Map<String, Object> whole = new LinkedHashMap<>();
    whole.put("events", events);
    whole.put("wall time s", audit.seconds());
    whole.put("events/s", events / audit.seconds());
    result.figure(new Figure("whole audit process", "", whole,
        "events = lifecycle end offsets; wall time of the whole verify-read-model process (JVM start, schema "
            + "migrations, replay, comparison)"));
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("exit code", audit.exitCode());
    verdict.put("events replayed", reported(audit.eventsReplayed()));
    verdict.put("jobs compared", reported(audit.jobsCompared()));
    verdict.put("differences", reported(audit.differences()));
    result.figure(new Figure("audit verdict", "", verdict, "exit code 0 = rebuilt read model equal to the live one"));
    if (audit.exitCode() != 0) {
      result.note("The audit tool exited with " + audit.exitCode() + "; see " + log);
    }
  }

  private static Object reported(OptionalLong value) {
    return value.isPresent() ? (Object) value.getAsLong() : "not reported";
  }
}
