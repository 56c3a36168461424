package dev.imagejobs.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Prints the end of every process log of the stack when a test fails: the cause is usually there. */
final class StackLogsOnFailure implements TestWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(StackLogsOnFailure.class);
  private static final int LINES = 60;

  private volatile Path logDir;

  void watch(Path logDir) {
    this.logDir = logDir;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    if (logDir == null || !Files.isDirectory(logDir)) {
      return;
    }
    try (Stream<Path> logs = Files.list(logDir)) {
      for (Path log : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        LOG.error("Last {} lines of {}:{}{}", LINES, log, System.lineSeparator(),
            String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - LINES), lines.size())));
      }
    } catch (IOException e) {
      LOG.error("Cannot read the logs in {}: {}", logDir, e.getMessage());
    }
  }
}
