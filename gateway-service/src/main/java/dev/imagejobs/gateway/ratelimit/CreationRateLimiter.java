package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Limits how fast each tenant creates, retries and cancels jobs (one allowance for the three: a
 * retry runs a job again, and every command writes), with one {@link TokenBucket} per tenant in this
 * instance's memory. Per instance by design: it protects the instance and the providers from one
 * noisy tenant without a shared store; behind a load balancer a tenant gets up to the limit times
 * the number of instances.
 */
@Component
public class CreationRateLimiter {
  /** Above this many tenants, idle (full) buckets are forgotten so memory stays bounded. */
  static final int SWEEP_THRESHOLD = 10_000;

  private final RateLimitSettings settings;
  private final LongSupplier nanoTime;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  @Autowired
  CreationRateLimiter(RateLimitSettings settings) {
    this(settings, System::nanoTime);
  }

  CreationRateLimiter(RateLimitSettings settings, LongSupplier nanoTime) {
    this.settings = settings;
    this.nanoTime = nanoTime;
  }

  /**
   * Takes one creation, retry or cancel from the tenant's allowance.
   *
   * @throws ErrorResponseException a {@code 429} problem with {@code Retry-After} (whole seconds,
   *     at least 1) when none is left
   */
  public void acquire(String tenantId) {
    acquire(tenantId, 1);
  }

  /**
   * Takes {@code jobs} creations at once, all or none, from the tenant's allowance: a batch counts
   * as many creations as it has jobs.
   *
   * @throws ErrorResponseException a {@code 429} problem with {@code Retry-After} when they are not
   *     all left, or a {@code 422} problem when more are asked for than the allowance ever holds
   */
  public void acquire(String tenantId, int jobs) {
    if (!settings.enabled()) {
      return;
    }
    if (jobs > settings.burst()) {
      throw new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, ProblemDetail.forStatusAndDetail(
          HttpStatus.UNPROCESSABLE_CONTENT, jobs + " jobs at once are more than this tenant may create at once ("
              + settings.burst() + ", imagejobs.rate-limit.burst); send them in smaller batches"), null);
    }
    long now = nanoTime.getAsLong();
    if (buckets.size() > SWEEP_THRESHOLD) {
      buckets.values().removeIf(bucket -> bucket.isFull(now));
    }
    Duration wait = buckets
        .computeIfAbsent(tenantId, tenant -> new TokenBucket(settings.ratePerSecond(), settings.burst(), now))
        .take(now, jobs);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      throw Refusals.retryLater(HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
          "Too many jobs created, retried or canceled; try again in " + seconds + " s", seconds);
    }
  }
}
