package dev.imagejobs.messaging;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The one way the services wait, then continue: on a given executor once a delay has passed,
 * holding no thread while they wait (a redelivery, a retry's backoff, a rate limit, a provider's
 * simulated latency).
 */
public final class Later {

  private Later() {}

  /** Runs what it is given on {@code executor} once {@code delay} has passed; at once for none. */
  public static Executor after(Duration delay, Executor executor) {
    return delay.isZero() || delay.isNegative()
        ? executor
        : CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS, executor);
  }

  /** Completes on {@code executor} once {@code delay} has passed. */
  public static CompletableFuture<Void> waiting(Duration delay, Executor executor) {
    return CompletableFuture.runAsync(() -> { }, after(delay, executor));
  }
}
