package dev.imagejobs.infra.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands scenarios their stacks. A scenario asking for the settings of the stack that is already
 * running gets it back once every job of the previous scenario has ended (so one load never runs
 * on another's backlog); any other settings stop that stack and start a fresh one. At most one
 * stack runs at a time.
 */
final class StackProvider implements AutoCloseable {

  /** A stack handed out, and whether it had been used by an earlier scenario. */
  record Lease(BenchmarkStack stack, boolean reused, long unfinishedAtStart) {}

  private static final Logger LOG = LoggerFactory.getLogger(StackProvider.class);

  private final Path home;
  private final Map<String, String> launcherEnvironment;
  private final boolean keepState;
  private final Duration drainTimeout;
  private final JsonMapper json;
  private BenchmarkStack current;
  private Map<String, String> currentOverrides;

  StackProvider(Path home, Map<String, String> launcherEnvironment, boolean keepState, Duration drainTimeout,
      JsonMapper json) {
    this.home = home;
    this.launcherEnvironment = Map.copyOf(launcherEnvironment);
    this.keepState = keepState;
    this.drainTimeout = drainTimeout;
    this.json = json;
  }

  /** A stack with {@code overrides}: the running one when its settings are the same, else a fresh one. */
  synchronized Lease shared(String label, Map<String, String> overrides) {
    if (current != null && Objects.equals(currentOverrides, overrides)) {
      long unfinished = current.awaitAllJobsEnded(drainTimeout);
      if (unfinished > 0) {
        LOG.warn("{} jobs of the previous scenario had not ended after {}; {} starts anyway", unfinished, drainTimeout,
            label);
      }
      return new Lease(current, true, unfinished);
    }
    return new Lease(fresh(label, overrides), false, 0);
  }

  /** A fresh stack with {@code overrides}, whatever runs now. */
  synchronized BenchmarkStack fresh(String label, Map<String, String> overrides) {
    closeCurrent();
    current = BenchmarkStack.start(label, overrides, home, launcherEnvironment, keepState, json);
    currentOverrides = Map.copyOf(overrides);
    return current;
  }

  /** Stops the running stack, if any. */
  synchronized void closeCurrent() {
    if (current != null) {
      BenchmarkStack stack = current;
      current = null;
      currentOverrides = null;
      stack.close();
    }
  }

  @Override
  public synchronized void close() {
    closeCurrent();
  }
}
