package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waiting in the benchmark's own threads: for a point of a schedule, or a poll interval. */
final class Waits {

  private Waits() {}

  static void sleep(Duration duration) {
    sleepNanos(duration.toNanos());
  }

  /** Returns once {@link System#nanoTime()} has reached {@code nanoTime}. */
  static void until(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      sleepNanos(left);
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
