package dev.imagejobs.infra.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  private final Duration stackWarmup;
  private final JsonMapper json;
  private BenchmarkStack current;
  private Map<String, String> currentOverrides;

  StackProvider(Path home, Map<String, String> launcherEnvironment, boolean keepState, Duration drainTimeout,
      Duration stackWarmup, JsonMapper json) {
    this.home = home;
    this.launcherEnvironment = Map.copyOf(launcherEnvironment);
    this.keepState = keepState;
    this.drainTimeout = drainTimeout;
    this.stackWarmup = stackWarmup;
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
    warmUp(current, label);
    return current;
  }

  /**
   * Offers {@link BenchmarkOptions#STACK_WARMUP_RATE} jobs/s for {@code stackWarmup}, then waits for
   * them to end (only with the instant provider: behind a slow one the load would still be queued
   * when the scenario starts): a fresh stack's five JVMs compile their hot paths for minutes, and on a small
   * machine that compilation, not the pipeline, would otherwise be what the first scenario measures.
   */
  private void warmUp(BenchmarkStack stack, String label) {
    if (stackWarmup.isZero()) {
      return;
    }
    if (!stack.providerLatency().isZero()) {
      // A slow provider would turn the warm-up load into a backlog the scenario then measures.
      stack.warmedUp("none: the provider takes " + stack.providerLatency().toMillis() + " ms per image");
      return;
    }
    LOG.info("Warming the stack for {} up: {} jobs/s for {} s, not measured", label,
        BenchmarkOptions.STACK_WARMUP_RATE, stackWarmup.toSeconds());
    JobRequests requests = new JobRequests(JobRequests.newProject("stack-warm-up"));
    OpenLoopLoad load = new OpenLoopLoad(index -> stack.gateway().submit(requests.body(index)),
        WindowedLoad.REQUEST_TIMEOUT);
    try {
      load.start(BenchmarkOptions.STACK_WARMUP_RATE, Duration.ZERO, stackWarmup,
              (index, jobId, intended, answered, measured) -> stack.jobsAccepted().incrementAndGet())
          .result()
          .get(stackWarmup.toSeconds() + WindowedLoad.REQUEST_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while warming the stack up", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("The stack warm-up load failed", e);
    }
    long unfinished = stack.awaitAllJobsEnded(drainTimeout);
    stack.warmedUp(BenchmarkOptions.STACK_WARMUP_RATE + " jobs/s for " + stackWarmup.toSeconds() + " s after start-up"
        + (unfinished > 0 ? ", " + unfinished + " of its jobs still unfinished" : ", every job ended"));
    if (unfinished > 0) {
      LOG.warn("{} warm-up jobs had not ended after {}; {} starts anyway", unfinished, drainTimeout, label);
    }
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
