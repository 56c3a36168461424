package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs diagnostic commands in a service's JVM through the JDK's {@code jcmd} (the same JDK runs the
 * services): a full GC before an idle measurement, and JFR recordings.
 */
final class Jcmd {

  private static final long TIMEOUT_SECONDS = 60;

  private final Path executable;

  Jcmd(Path javaHome) {
    this.executable = javaHome.resolve("bin").resolve("jcmd");
  }

  boolean isAvailable() {
    return Files.isExecutable(executable);
  }

  /**
   * Runs {@code jcmd <pid> <command...>} and returns its output.
   *
   * @throws IllegalStateException when it fails or takes longer than a minute
   */
  String run(long pid, String... command) {
    List<String> line = new ArrayList<>(List.of(executable.toString(), Long.toString(pid)));
    line.addAll(List.of(command));
    Path output = null;
    try {
      // Output to a file, so a jcmd that hangs cannot block the read past the timeout.
      output = Files.createTempFile("benchmark-jcmd-", ".txt");
      Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("jcmd " + String.join(" ", command) + " took longer than " + TIMEOUT_SECONDS + " s");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + executable + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running jcmd", e);
    } finally {
      deleteQuietly(output);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A temporary file left behind is harmless.
      }
    }
  }
}
