package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.Later;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The client-side cap of provider requests per minute, per provider: a token bucket holding one
 * minute's worth of requests, refilled continuously. A request over the cap waits for its token on
 * a timer, never on a thread, so jobs over the limit queue up without blocking anything.
 */
class ProviderRateLimiter {
  private final Map<String, Integer> requestsPerMinute;
  private final LongSupplier nanoTime;
  private final Executor afterWait;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param requestsPerMinute the cap per provider name; providers not named are not limited
   * @param afterWait runs what follows a wait
   */
  ProviderRateLimiter(Map<String, Integer> requestsPerMinute, LongSupplier nanoTime, Executor afterWait) {
    requestsPerMinute.forEach((provider, limit) -> {
      if (limit == null || limit < 1) {
        throw new IllegalArgumentException("requests-per-minute of provider '" + provider + "' must be at least 1");
      }
    });
    this.requestsPerMinute = Map.copyOf(requestsPerMinute);
    this.nanoTime = nanoTime;
    this.afterWait = afterWait;
  }

  /** Completes when {@code provider} may be called. */
  CompletableFuture<Void> acquire(String provider) {
    Duration wait = reserve(provider);
    if (wait.isZero()) {
      return CompletableFuture.completedFuture(null);
    }
    return Later.waiting(wait, afterWait);
  }

  /** Takes a token of {@code provider} and says how long to wait until it is valid. */
  Duration reserve(String provider) {
    Integer limit = requestsPerMinute.get(provider);
    if (limit == null) {
      return Duration.ZERO;
    }
    return buckets.computeIfAbsent(provider, name -> new Bucket(limit, nanoTime.getAsLong())).take(nanoTime.getAsLong());
  }

  private static final class Bucket {
    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long refilledAt;

    Bucket(int perMinute, long now) {
      this.capacity = perMinute;
      this.tokensPerNano = perMinute / (double) TimeUnit.MINUTES.toNanos(1);
      this.tokens = perMinute;
      this.refilledAt = now;
    }

    synchronized Duration take(long now) {
      tokens = Math.min(capacity, tokens + (now - refilledAt) * tokensPerNano);
      refilledAt = now;
      tokens -= 1;
      // A negative balance is the queue of callers ahead: each waits until its token has grown back.
      return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-tokens / tokensPerNano));
    }
  }
}
