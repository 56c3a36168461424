package dev.imagejobs.gateway.security;

import java.time.Duration;
import java.time.Instant;

/**
 * Until when the request's verified token is accepted: its {@code exp} plus the allowed clock
 * skew. Declare it as a controller method parameter to receive it; a response that outlives the
 * request, such as an event stream, ends then.
 *
 * @param acceptedUntil the last instant at which the token is accepted
 */
public record TokenExpiry(Instant acceptedUntil) {

  /** How long the token is still accepted after {@code now}; zero once it is not. */
  public Duration remainingAfter(Instant now) {
    Duration remaining = Duration.between(now, acceptedUntil);
    return remaining.isNegative() ? Duration.ZERO : remaining;
  }
}
