package dev.imagejobs.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The audit tool's {@code verify-read-model}, run as its own process against a running stack, as an operator runs it. */
public final class AuditProcess {
  private static final Pattern REPLAYED = Pattern.compile("Replayed (\\d+) events");
  private static final Pattern REPLAY_TIME = Pattern.compile("Replayed \\d+ events into schema \\S+ in ([0-9.]+) s");
  private static final Pattern COMPARED = Pattern.compile("(\\d+) jobs compared, (\\d+) differences");

  /**
   * What the audit said.
   *
   * @param exitCode 0 when the rebuilt read model equals the live one
   * @param seconds wall time of the whole process
   * @param eventsReplayed events replayed, when reported
 * @param replaySeconds the replay's own time (first record read to last commit), when reported
   * @param jobsCompared jobs compared, when reported
   * @param differences jobs that differ, when reported
   * @param log the audit's output
   */
  public record Result(int exitCode, double seconds, OptionalLong eventsReplayed, OptionalDouble replaySeconds,
      OptionalLong jobsCompared, OptionalLong differences, Path log) {}

  private AuditProcess() {}

  /** The audit tool's executable jar in the repository the stack's distribution ({@code home}) was built in. */
  public static Path jar(Path home) {
    Path target = home.toAbsolutePath().normalize().getParent().getParent().getParent().resolve("audit-tool")
        .resolve("target");
    try (Stream<Path> jars = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      return jars.filter(jar -> jar.getFileName().toString().matches("audit-tool-.*-exec\\.jar")).findFirst()
          .orElse(target.resolve("audit-tool-exec.jar"));
    } catch (IOException e) {
      return target.resolve("audit-tool-exec.jar");
    }
  }

  /** @throws IllegalStateException saying how to build the tool when {@code jar} is missing */
  public static void requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("No audit tool at " + jar + "; build it: ./mvnw -B -DskipTests package -pl "
          + "infra,audit-tool -am");
    }
  }

  /** Runs {@code verify-read-model} against {@code stack}, its output in {@code log}, for at most {@code timeout}. */
  public static Result verifyReadModel(Path jar, RunningStack stack, Map<String, String> settings, Path log,
      Duration timeout) throws IOException, InterruptedException {
    requireJar(jar);
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command(jar)).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(Map.of(
        "JAVA_HOME", System.getProperty("java.home"),
        "SPRING_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
        "IMAGEJOBS_DATABASE_HOST", "localhost",
        "IMAGEJOBS_DATABASE_PORT", Integer.toString(stack.settings().postgresPort()),
        "IMAGEJOBS_DATABASE_NAME", PostgresServer.DATABASE,
        "IMAGEJOBS_DATABASE_USERNAME", PostgresServer.USER,
        "IMAGEJOBS_DATABASE_PASSWORD", ""));
    builder.environment().putAll(settings);
    long started = System.nanoTime();
    Process audit = builder.start();
    try {
      if (!audit.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("The audit tool took longer than " + timeout + "; see " + log);
      }
    } finally {
      if (audit.isAlive()) {
        audit.destroyForcibly();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String output;
    try {
      output = Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse(audit.exitValue(), seconds, output, log);
  }

  /** What the tool's {@code output} reports, beside its exit code and wall time. */
  static Result parse(int exitCode, double seconds, String output, Path log) {
    Matcher replayed = REPLAYED.matcher(output);
    Matcher replayTime = REPLAY_TIME.matcher(output);
    Matcher compared = COMPARED.matcher(output);
    boolean reported = compared.find();
    return new Result(exitCode, seconds,
        replayed.find() ? OptionalLong.of(Long.parseLong(replayed.group(1))) : OptionalLong.empty(),
        replayTime.find() ? OptionalDouble.of(Double.parseDouble(replayTime.group(1))) : OptionalDouble.empty(),
        reported ? OptionalLong.of(Long.parseLong(compared.group(1))) : OptionalLong.empty(),
        reported ? OptionalLong.of(Long.parseLong(compared.group(2))) : OptionalLong.empty(),
        log);
  }

  /**
   * The command an operator runs: the repository's {@code audit} script beside the tool's module,
   * with the JVM options it chooses, on the launcher's own Java ({@code JAVA_HOME}).
   */
  public static List<String> command(Path jar) {
    Path script = jar.toAbsolutePath().normalize().getParent().getParent().getParent().resolve("audit");
    return List.of(script.toString(), "verify-read-model");
  }
}
