package dev.imagejobs.gateway.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem straight to the response, for errors raised before a controller is chosen
 * (authentication, body size, routing failures outside the dispatcher). The body is always
 * {@code application/problem+json}, whatever the request accepts, as RFC 9457 intends.
 */
@Component
public class ProblemResponses {
  private final JsonMapper json;

  ProblemResponses(JsonMapper json) {
    this.json = json;
  }

  /** Writes {@code problem} with its status and {@code headers}; does nothing once the response is committed. */
  public Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem, HttpHeaders headers) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.empty();
    }
    if (problem.getInstance() == null) {
      problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
    }
    response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
    response.getHeaders().addAll(headers);
    response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    byte[] body = json.writeValueAsBytes(fields(problem));
    DataBuffer buffer = response.bufferFactory().wrap(body);
    return response.writeWith(Mono.just(buffer));
  }

  /** The members of the problem object: the standard ones first, then the extensions. */
  static Map<String, Object> fields(ProblemDetail problem) {
    Map<String, Object> fields = new LinkedHashMap<>();
    // An absent type means "about:blank" (RFC 9457, 3.1.1), as in the problems Spring writes itself.
    if (problem.getType() != null) {
      fields.put("type", problem.getType().toString());
    }
    if (problem.getTitle() != null) {
      fields.put("title", problem.getTitle());
    }
    fields.put("status", problem.getStatus());
    if (problem.getDetail() != null) {
      fields.put("detail", problem.getDetail());
    }
    if (problem.getInstance() != null) {
      fields.put("instance", problem.getInstance().toString());
    }
    if (problem.getProperties() != null) {
      fields.putAll(problem.getProperties());
    }
    return fields;
  }
}
