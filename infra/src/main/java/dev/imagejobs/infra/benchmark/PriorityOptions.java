package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * What the {@code priority} scenario runs with, from the command line.
 *
 * @param backlog normal jobs queued ahead of the probes in each round
 * @param rounds measured rounds, after one warm-up round that is never reported
 * @param providerLatency the local provider's time per image
 * @param maxInFlight generation's jobs in flight; empty: the service's default (32)
 */
public record PriorityOptions(int backlog, int rounds, Duration providerLatency, OptionalInt maxInFlight) {

  static final int DEFAULT_BACKLOG = 1000;
  static final int QUICK_BACKLOG = 200;
  static final int DEFAULT_ROUNDS = 3;
  static final int QUICK_ROUNDS = 1;
  static final Duration DEFAULT_PROVIDER_LATENCY = Duration.ofSeconds(2);
  /** The service's own default, used to size the scenario's deadlines when no option sets it. */
  static final int SERVICE_MAX_IN_FLIGHT = 32;

  public PriorityOptions {
    if (backlog < 1) {
      throw new IllegalArgumentException("--priority-backlog must be at least 1");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--priority-rounds must be at least 1");
    }
    if (providerLatency.isNegative() || providerLatency.isZero()) {
      throw new IllegalArgumentException("--priority-provider-latency must be positive: without a slow provider "
          + "nothing waits");
    }
    if (maxInFlight.isPresent() && maxInFlight.getAsInt() < 1) {
      throw new IllegalArgumentException("--priority-max-in-flight must be at least 1");
    }
  }

  /** The defaults: full ones, or those of a quick run. */
  static PriorityOptions defaults(boolean quick) {
    return new PriorityOptions(quick ? QUICK_BACKLOG : DEFAULT_BACKLOG, quick ? QUICK_ROUNDS : DEFAULT_ROUNDS,
        DEFAULT_PROVIDER_LATENCY, OptionalInt.empty());
  }

  /** Generation's jobs in flight as the stack will run them. */
  int effectiveMaxInFlight() {
    return maxInFlight.orElse(SERVICE_MAX_IN_FLIGHT);
  }

  /** Seconds the generation service needs to start {@code jobs} queued jobs, at best. */
  double idealStartSeconds(int jobs) {
    return jobs * (providerLatency.toMillis() / 1000.0) / effectiveMaxInFlight();
  }
}
