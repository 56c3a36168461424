package dev.imagejobs.gateway.jobs;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers errors as RFC 9457 problem details ({@code application/problem+json}); invalid input
 * lists every offending field in an {@code errors} array of {@code {field, message}}.
 */
@RestControllerAdvice
class JobProblems extends ResponseEntityExceptionHandler {
  static final String ERRORS = "errors";
  private static final String RETRY_AFTER_SECONDS = "2";
  private static final Logger log = LoggerFactory.getLogger(JobProblems.class);

  /** One invalid value: the body field, path variable or header, and what is wrong with it. */
  record FieldMessage(String field, String message) {}

  @Override
  protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(
      WebExchangeBindException ex, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
    List<FieldMessage> errors = new ArrayList<>();
    for (FieldError error : ex.getFieldErrors()) {
      errors.add(new FieldMessage(error.getField(), error.getDefaultMessage()));
    }
    for (ObjectError error : ex.getGlobalErrors()) {
      errors.add(new FieldMessage(error.getObjectName(), error.getDefaultMessage()));
    }
    errors.sort((a, b) -> a.field().compareTo(b.field()));
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid");
    problem.setTitle("Invalid request");
    problem.setProperty(ERRORS, errors);
    return Mono.just(problem(problem));
  }

  @ExceptionHandler(InvalidInputException.class)
  ResponseEntity<Object> invalidInput(InvalidInputException ex) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid");
    problem.setTitle("Invalid request");
    problem.setProperty(ERRORS, List.of(new FieldMessage(ex.field(), ex.getMessage())));
    return problem(problem);
  }

  /** The database is unreachable: nothing was created, and the client may simply try again. */
  @ExceptionHandler({DataAccessResourceFailureException.class, CannotCreateTransactionException.class})
  ResponseEntity<Object> storeUnavailable(RuntimeException ex) {
    log.warn("Job store unavailable: {}", ex.toString());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
        HttpStatus.SERVICE_UNAVAILABLE, "The job store is unavailable; nothing was changed. Try again later.");
    problem.setTitle("Service unavailable");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  @ExceptionHandler(JobNotFoundException.class)
  ResponseEntity<Object> notFound(JobNotFoundException ex) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
    problem.setTitle("Not found");
    return problem(problem);
  }

  private static ResponseEntity<Object> problem(ProblemDetail problem) {
    return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }
}
