package dev.imagejobs.gateway.idempotency;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The key was already used with another request body: 422, as the draft prescribes. */
public class IdempotencyKeyReusedException extends ErrorResponseException {

  IdempotencyKeyReusedException() {
    super(HttpStatus.UNPROCESSABLE_CONTENT, problem(), null);
  }

  private static ProblemDetail problem() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
        "This Idempotency-Key was already used with a different request; use a new key for a new request");
    problem.setTitle("Idempotency key reused");
    return problem;
  }
}
