package dev.imagejobs.gateway.security;

import dev.imagejobs.gateway.web.ProblemResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers a missing or refused token (401, with the RFC 6750 {@code WWW-Authenticate} challenge)
 * and a forbidden request (403) as problem details, like every other error of the API.
 */
final class ProblemAuthenticationErrors implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {
  private final ProblemResponses problems;

  ProblemAuthenticationErrors(ProblemResponses problems) {
    this.problems = problems;
  }

  @Override
  public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
    HttpStatus status = HttpStatus.UNAUTHORIZED;
    String challenge = "Bearer";
    String detail = "A bearer token is required";
    if (ex instanceof OAuth2AuthenticationException oauth) {
      OAuth2Error error = oauth.getError();
      if (error instanceof BearerTokenError bearer) {
        status = bearer.getHttpStatus();
      }
      challenge = "Bearer error=\"" + quoted(error.getErrorCode()) + "\"";
      if (error.getDescription() != null) {
        challenge += ", error_description=\"" + quoted(error.getDescription()) + "\"";
      }
      detail = error.getDescription() != null ? error.getDescription() : "The bearer token is not valid";
    }
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(status == HttpStatus.UNAUTHORIZED ? "Unauthorized" : status.getReasonPhrase());
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.WWW_AUTHENTICATE, challenge);
    return problems.write(exchange, problem, headers);
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "This token may not do that");
    problem.setTitle("Forbidden");
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
    return problems.write(exchange, problem, headers);
  }

  /** A quoted-string may not contain raw quotes or backslashes; control characters are dropped. */
  private static String quoted(String value) {
    return value.replaceAll("[\\p{Cntrl}]", " ").replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
