package dev.imagejobs.webhooks.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: the configured delays in turn, each varied at random by up
 * to {@code jitter} of itself either way, so the deliveries that failed together (an endpoint that
 * was down) do not all come back at the same moment.
 */
final class RetrySchedule {
  private final List<Duration> delays;
  private final double jitter;
  private final DoubleSupplier random;

  /** @param random numbers in [0, 1) */
  RetrySchedule(List<Duration> delays, double jitter, DoubleSupplier random) {
    this.delays = List.copyOf(delays);
    this.jitter = jitter;
    this.random = random;
  }

  /** The wait before the retry after failure number {@code step} (from 0); empty once the schedule is spent. */
  Optional<Duration> delay(int step) {
    if (step < 0 || step >= delays.size()) {
      return Optional.empty();
    }
    long nanos = delays.get(step).toNanos();
    double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
    return Optional.of(Duration.ofNanos(Math.max(0, Math.round(nanos * factor))));
  }
}
