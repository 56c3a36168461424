package dev.imagejobs.gateway.web;

import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Values outside the body (path, query, headers) or body values checked in code that are not
 * acceptable; answered with 400 and every offending field in {@code errors}.
 */
public class InvalidInputException extends ErrorResponseException {

  public InvalidInputException(String field, String message) {
    this(List.of(new FieldMessage(field, message)));
  }

  public InvalidInputException(List<FieldMessage> errors) {
    super(HttpStatus.BAD_REQUEST, problem(errors), null);
  }

  /**
   * A {@code 422} for well-formed values the request cannot have here (what they name, or what the
   * model can do), every offending field in {@code errors}.
   */
  public static ErrorResponseException unprocessable(String title, String detail, List<FieldMessage> errors) {
    ProblemDetail problem = problem(errors);
    problem.setStatus(HttpStatus.UNPROCESSABLE_CONTENT);
    problem.setTitle(title);
    problem.setDetail(detail);
    return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, problem, null);
  }

  /** The problem of a request with these invalid values, fields in alphabetical order. */
  public static ProblemDetail problem(List<FieldMessage> errors) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid");
    problem.setTitle("Invalid request");
    problem.setProperty(ApiProblems.ERRORS,
        errors.stream().sorted(Comparator.comparing(FieldMessage::field)).toList());
    return problem;
  }
}
