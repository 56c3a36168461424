package dev.imagejobs.gateway.jobs;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No such job for this tenant, or no image for it. Another tenant's job is reported exactly like
 * a missing one, so ids of other tenants cannot be probed.
 */
public class JobNotFoundException extends ErrorResponseException {

  public JobNotFoundException(String detail) {
    super(HttpStatus.NOT_FOUND, problem(detail), null);
  }

  private static ProblemDetail problem(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
    problem.setTitle("Not found");
    return problem;
  }
}
