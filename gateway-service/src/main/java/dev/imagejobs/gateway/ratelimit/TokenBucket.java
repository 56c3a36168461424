package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;

/**
 * A token bucket: holds up to {@code burst} tokens, refills at {@code ratePerSecond}, and each
 * request takes one (a batch one per job). Thread-safe; times come from a monotonic nanosecond clock.
 */
final class TokenBucket {
  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final double capacity;
  private final double tokensPerNano;
  private double tokens;
  private long refilledAt;

  TokenBucket(double ratePerSecond, int burst, long nowNanos) {
    this.capacity = burst;
    this.tokensPerNano = ratePerSecond / NANOS_PER_SECOND;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  /**
   * Takes {@code count} tokens at once, or none: {@link Duration#ZERO} when they were available, else
   * how long until they will be.
   */
  synchronized Duration take(long nowNanos, int count) {
    refill(nowNanos);
    if (tokens >= count) {
      tokens -= count;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((count - tokens) / tokensPerNano));
  }

  /** Whether the bucket has refilled completely, i.e. forgetting it changes nothing. */
  synchronized boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= capacity;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      refilledAt = nowNanos;
    }
  }
}
