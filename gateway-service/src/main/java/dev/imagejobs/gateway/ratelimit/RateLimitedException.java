package dev.imagejobs.gateway.ratelimit;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The tenant created, retried or canceled jobs faster than allowed: 429 with {@code Retry-After} in whole seconds. */
final class RateLimitedException extends ErrorResponseException {
  private final long retryAfterSeconds;

  RateLimitedException(Duration wait) {
    super(HttpStatus.TOO_MANY_REQUESTS, problem(Math.max(1, (wait.toMillis() + 999) / 1000)), null);
    this.retryAfterSeconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
  }

  long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  private static ProblemDetail problem(long seconds) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
        "Too many jobs created, retried or canceled; try again in " + seconds + " s");
    problem.setTitle("Too many requests");
    problem.setProperty("retryAfterSeconds", seconds);
    return problem;
  }
}
