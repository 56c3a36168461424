package dev.imagejobs.gateway.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
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
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

/**
 * Answers every error of the dispatcher and the controllers (unknown route, wrong method or media
 * type, invalid input, a feature's own {@code ErrorResponseException}) as an RFC 9457 problem in
 * {@code application/problem+json}; invalid input lists each offending field in {@code errors}.
 */
@RestControllerAdvice
class ApiProblems extends ResponseEntityExceptionHandler {
  static final String ERRORS = "errors";
  private static final String RETRY_AFTER_SECONDS = "2";
  private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

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
    return createResponseEntity(InvalidInputException.problem(errors), headers, HttpStatus.BAD_REQUEST, exchange);
  }

  /** No route matches: say which request found nothing, rather than mention static resources. */
  @ExceptionHandler(NoResourceFoundException.class)
  Mono<ResponseEntity<Object>> noRoute(NoResourceFoundException ex, ServerWebExchange exchange) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
        "No route for " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value());
    problem.setTitle("Not found");
    return createResponseEntity(problem, new HttpHeaders(), HttpStatus.NOT_FOUND, exchange);
  }

  /** The body codec stops reading at the configured size (when no Content-Length announced it). */
  @ExceptionHandler(DataBufferLimitException.class)
  Mono<ResponseEntity<Object>> tooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
    return createResponseEntity(BodySizeLimit.problem(), new HttpHeaders(), HttpStatus.CONTENT_TOO_LARGE, exchange);
  }

  /** The database is unreachable: nothing was changed, and the client may simply try again. */
  @ExceptionHandler({DataAccessResourceFailureException.class, CannotCreateTransactionException.class})
  Mono<ResponseEntity<Object>> storeUnavailable(RuntimeException ex, ServerWebExchange exchange) {
    log.warn("Job store unavailable: {}", ex.toString());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
        HttpStatus.SERVICE_UNAVAILABLE, "The job store is unavailable; nothing was changed. Try again later.");
    problem.setTitle("Service unavailable");
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    return createResponseEntity(problem, headers, HttpStatus.SERVICE_UNAVAILABLE, exchange);
  }

  /**
   * The client closed the connection before its answer was sent (it gave up waiting): there is
   * nobody left to answer, and this is not a fault of the gateway. Logging each one with its stack
   * trace would make an overloaded gateway slower exactly when clients start giving up.
   */
  @ExceptionHandler(AbortedException.class)
  Mono<ResponseEntity<Object>> clientGone(AbortedException ex, ServerWebExchange exchange) {
    log.debug("Client closed the connection before the answer to {} {} was sent", exchange.getRequest().getMethod(),
        exchange.getRequest().getPath());
    return Mono.empty();
  }

  /** Anything unforeseen: logged with its stack trace, answered without internals. */
  @ExceptionHandler(Exception.class)
  Mono<ResponseEntity<Object>> unexpected(Exception ex, ServerWebExchange exchange) {
    log.error("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
    return createResponseEntity(ProblemWebExceptionHandler.internalError(), new HttpHeaders(),
        HttpStatus.INTERNAL_SERVER_ERROR, exchange);
  }

  @Override
  protected Mono<ResponseEntity<Object>> createResponseEntity(
      Object body, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
    HttpHeaders problemHeaders = new HttpHeaders();
    problemHeaders.addAll(headers);
    if (body instanceof ProblemDetail problem) {
      if (problem.getInstance() == null) {
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
      }
      // Problems are problem+json whatever the request accepted (RFC 9457), so a 406 has a body too.
      problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    return Mono.just(new ResponseEntity<>(body, problemHeaders, status));
  }
}
