package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;

/**
 * A token bucket: holds up to {@code burst} tokens, refills at {@code ratePerSecond}, and each
 * request takes one. Thread-safe; times come from a monotonic nanosecond clock.
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

  /** Takes a token: {@link Duration#ZERO} when one was available, else how long until one will be. */
  synchronized Duration take(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / tokensPerNano));
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
