package dev.imagejobs.gateway.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * The last resort for errors outside the dispatcher (web filters, failures while writing): the same
 * problem+json as {@link ApiProblems}. Ordered before Spring Boot's error handler, whose JSON is
 * not a problem document.
 */
@Component
@Order(-2)
class ProblemWebExceptionHandler implements WebExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);

  private final ProblemResponses problems;

  ProblemWebExceptionHandler(ProblemResponses problems) {
    this.problems = problems;
  }

  static ProblemDetail internalError() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
        HttpStatus.INTERNAL_SERVER_ERROR, "The request failed unexpectedly; the error has been logged.");
    problem.setTitle("Internal server error");
    return problem;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
    if (exchange.getResponse().isCommitted()) {
      return Mono.error(ex);
    }
    if (ex instanceof ErrorResponse error) {
      return problems.write(exchange, error.getBody(), error.getHeaders());
    }
    log.error("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
    return problems.write(exchange, internalError(), new HttpHeaders());
  }
}
