package dev.imagejobs.gateway.ratelimit;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The answer to a request refused for now: a problem with {@code Retry-After} in whole seconds. */
public final class Refusals {

  private Refusals() {}

  public static ErrorResponseException retryLater(HttpStatus status, String title, String detail, long retryAfterSeconds) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    problem.setProperty("retryAfterSeconds", retryAfterSeconds);
    ErrorResponseException refused = new ErrorResponseException(status, problem, null);
    refused.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    return refused;
  }
}
