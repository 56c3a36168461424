package dev.imagejobs.infra.benchmark;

import java.time.Duration;

/**
 * When each request of an open-loop load is meant to be sent: at fixed intervals from a start time,
 * whatever the answers do. Latency is measured from these intended times, so a client that falls
 * behind (a pause, a full connection pool) adds its delay to the figures instead of hiding it
 * (no coordinated omission).
 *
 * @param startNanos {@link System#nanoTime()} of the first request
 * @param intervalNanos time between two requests
 */
record ArrivalSchedule(long startNanos, long intervalNanos) {

  ArrivalSchedule {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("The interval must be positive");
    }
  }

  /** {@code perSecond} requests a second from {@code startNanos}. */
  static ArrivalSchedule ofRate(double perSecond, long startNanos) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("The rate must be positive");
    }
    return new ArrivalSchedule(startNanos, Math.max(1, Math.round(1_000_000_000.0 / perSecond)));
  }

  /** Intended send time of request {@code index} (0-based). */
  long intendedNanos(long index) {
    return startNanos + index * intervalNanos;
  }

  /** How many requests are due before {@code elapsed} has passed since the start. */
  long countWithin(Duration elapsed) {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0 : (nanos + intervalNanos - 1) / intervalNanos;
  }
}
