package dev.imagejobs.generation.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed provider attempt is tried again: exponential backoff (1 s, 2 s, 4 s, 8 s, capped at
 * 10 s by default) with jitter so that jobs failing together do not retry together, unless the
 * provider named its own wait ({@code Retry-After}, {@code RetryInfo}), which is then honoured.
 *
 * @param maxRetries attempts after the first; 0 disables retries
 * @param initialDelay wait before the first retry
 * @param multiplier growth of the wait per retry
 * @param maxDelay cap of the computed wait
 * @param jitter share of the wait that is random, from 0 (none) to 1; the wait stays within
 *     [{@code delay × (1 − jitter)}, {@code delay}]
 * @param maxProviderDelay the longest wait a provider may ask for; beyond it the job fails instead
 *     of holding a slot for minutes
 */
record RetryPolicy(
    int maxRetries, Duration initialDelay, double multiplier, Duration maxDelay, double jitter, Duration maxProviderDelay) {

  RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("max-retries must not be negative");
    }
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("retry delays must satisfy 0 <= initial-delay <= max-delay");
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("retry multiplier must be at least 1");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("retry jitter must be between 0 and 1");
    }
  }

  /** The schedule of the issue: 3 retries, 1 s doubling up to 10 s, 20 % jitter, provider waits up to 60 s. */
  static RetryPolicy standard() {
    return new RetryPolicy(3, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), 0.2, Duration.ofSeconds(60));
  }

  /**
   * The wait before retry number {@code retry} (1 for the first retry), or empty when no retry is
   * left or the provider asked for a longer wait than {@code maxProviderDelay}.
   *
   * @param random a uniform value in [0, 1) per call
   */
  Optional<Duration> delayBefore(int retry, Optional<Duration> providerDelay, DoubleSupplier random) {
    if (retry > maxRetries) {
      return Optional.empty();
    }
    if (providerDelay.isPresent()) {
      return providerDelay.get().compareTo(maxProviderDelay) <= 0 ? providerDelay : Optional.empty();
    }
    double base = Math.min(initialDelay.toMillis() * Math.pow(multiplier, retry - 1), maxDelay.toMillis());
    double jittered = base * (1 - jitter * random.getAsDouble());
    return Optional.of(Duration.ofMillis(Math.round(jittered)));
  }
}
