package dev.imagejobs.infra;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process of the stack (the broker or a service): output appended to its log file, its pid
 * in {@code <state>/run/}, an unexpected exit reported with the end of its log.
 */
final class ChildProcess {

  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  private static final int TAIL_LINES = 25;

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Path pidFile;
  private volatile boolean stopping;

  private ChildProcess(String name, Process process, Path logFile, Path pidFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.pidFile = pidFile;
  }

  /**
   * Starts {@code command}; {@code environment} is added to the launcher's own environment.
   */
  static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path logFile, Path pidFile) {
    try {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(pidFile.getParent());
      Files.writeString(logFile, "----- " + name + " starting at " + Instant.now() + " -----\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      Process process = builder.start();
      Files.writeString(pidFile, Long.toString(process.pid()));
      ChildProcess child = new ChildProcess(name, process, logFile, pidFile);
      process.onExit().thenRun(child::reportUnexpectedExit);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  /** Runs a one-shot command to completion, failing with the end of its log unless it exits with 0. */
  static void run(String name, List<String> command, Path logFile, Duration timeout) {
    try {
      Files.createDirectories(logFile.getParent());
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      ChildProcess child = new ChildProcess(name, process, logFile, null);
      child.stopping = true;
      if (!child.awaitExit(timeout)) {
        terminate(process.toHandle(), Duration.ZERO);
        throw new IllegalStateException(name + " took longer than " + timeout.toSeconds() + " s; see " + logFile);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.format("%s failed with code %d; see %s, which ends with:%n%s",
            name, process.exitValue(), logFile, child.tail()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops a process a previous launcher left running (it was killed before it could stop its
   * children), recognised by its pid file and by {@code marker} on its command line.
   */
  static void stopLeftover(String name, Path pidFile, String marker, Duration grace) {
    readPid(pidFile)
        .flatMap(ProcessHandle::of)
        .filter(handle -> handle.info().commandLine().map(line -> line.contains(marker)).orElse(false))
        .ifPresent(handle -> {
          LOG.warn("Stopping {} (pid {}) left running by an earlier launcher", name, handle.pid());
          terminate(handle, grace);
        });
    deleteQuietly(pidFile);
  }

  /** SIGTERM, then SIGKILL for the process and whatever it started if it has not exited after {@code grace}. */
  static void terminate(ProcessHandle handle, Duration grace) {
    List<ProcessHandle> descendants = handle.descendants().toList();
    handle.destroy();
    try {
      handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      handle.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      handle.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until {@code ready} holds, failing early with the end of the log when the process exits
   * and with a clear message when {@code timeout} passes.
   */
  void awaitReady(String what, Duration timeout, BooleanSupplier ready) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(String.format("%s exited with code %d before %s; see %s, which ends with:%n%s",
            name, process.exitValue(), what, logFile, tail()));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(String.format("%s: no %s within %d s; see %s, which ends with:%n%s",
            name, what, timeout.toSeconds(), logFile, tail()));
      }
      // Doubles as the poll interval and returns at once when the process dies.
      awaitExit(POLL_INTERVAL);
    }
  }

  /** Waits up to {@code timeout}; true when the process has exited. */
  boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** Sends SIGTERM without waiting, so several processes can shut down in parallel. */
  void requestStop() {
    stopping = true;
    process.destroy();
  }

  /** SIGTERM (unless already sent), then SIGKILL after {@code grace}. */
  void stop(Duration grace) {
    requestStop();
    if (!awaitExit(grace)) {
      LOG.warn("{} did not stop within {} s after SIGTERM; killing it", name, grace.toSeconds());
      terminate(process.toHandle(), Duration.ZERO);
    }
    if (pidFile != null) {
      deleteQuietly(pidFile);
    }
  }

  /** The last lines of the log file, for error messages. */
  String tail() {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = file.length();
      long from = Math.max(0, length - 16 * 1024);
      byte[] bytes = new byte[(int) (length - from)];
      file.seek(from);
      file.readFully(bytes);
      List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private void reportUnexpectedExit() {
    if (!stopping) {
      LOG.error("{} exited unexpectedly with code {}; see {}, which ends with:{}{}",
          name, process.exitValue(), logFile, System.lineSeparator(), tail());
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      return Files.exists(pidFile) ? Optional.of(Long.parseLong(Files.readString(pidFile).trim())) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      LOG.warn("Ignoring unreadable pid file {}: {}", pidFile, e.getMessage());
      return Optional.empty();
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", file, e.getMessage());
    }
  }
}
