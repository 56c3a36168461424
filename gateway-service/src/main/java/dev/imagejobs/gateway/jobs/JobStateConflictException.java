package dev.imagejobs.gateway.jobs;

import dev.imagejobs.schemas.JobStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The job's status does not allow the command (retry a job that did not fail, cancel a finished one): 409. */
final class JobStateConflictException extends ErrorResponseException {

  JobStateConflictException(String jobId, JobStatus status, String rule) {
    super(HttpStatus.CONFLICT, problem(jobId, status, rule), null);
  }

  private static ProblemDetail problem(String jobId, JobStatus status, String rule) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
        "Job " + jobId + " is " + status.wireName() + "; " + rule);
    problem.setTitle("Job state conflict");
    problem.setProperty("jobId", jobId);
    problem.setProperty("jobStatus", status.wireName());
    return problem;
  }
}
