package dev.imagejobs.gateway.web;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Refuses request bodies above {@code imagejobs.http.max-body-size} with 413 ({@code
 * imagejobs.http.max-batch-body-size} for a batch's {@code POST}, {@code
 * imagejobs.http.max-reference-size} for an uploaded reference image), before anything else runs
 * when {@code Content-Length} announces it, and while reading when the body is chunked. The JSON
 * codec's in-memory limit is the batch's, so no JSON route can be made to buffer more; the upload
 * route reads its bytes itself, within its own limit.
 */
@Component
class BodySizeLimit implements WebFilter, Ordered {
  /** The routes whose bodies may be larger: a batch of jobs, a reference image. */
  static final String BATCHES = "/api/v1/images/batches";
  static final String REFERENCES = "/api/v1/images/references";

  private final long maxBytes;
  private final Map<String, Long> maxPostBytes;
  private final ProblemResponses problems;

  BodySizeLimit(HttpSettings settings, ProblemResponses problems) {
    this.maxBytes = settings.maxBodySize().toBytes();
    this.maxPostBytes = Map.of(BATCHES, settings.maxBatchBodySize().toBytes(),
        REFERENCES, settings.maxReferenceSize().toBytes());
    this.problems = problems;
  }

  static ProblemDetail problem() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
        HttpStatus.CONTENT_TOO_LARGE, "The request body is larger than this server accepts");
    problem.setTitle("Request body too large");
    return problem;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    long limit = request.getMethod() == HttpMethod.POST
        ? maxPostBytes.getOrDefault(request.getPath().value(), maxBytes) : maxBytes;
    long declared = request.getHeaders().getContentLength();
    if (declared > limit) {
      return problems.write(exchange, problem(), new HttpHeaders());
    }
    if (declared >= 0) {
      return chain.filter(exchange);
    }
    ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
      @Override
      public Flux<DataBuffer> getBody() {
        AtomicLong read = new AtomicLong();
        return super.getBody().handle((buffer, sink) -> {
          if (read.addAndGet(buffer.readableByteCount()) > limit) {
            DataBufferUtils.release(buffer);
            sink.error(new ErrorResponseException(HttpStatus.CONTENT_TOO_LARGE, problem(), null));
          } else {
            sink.next(buffer);
          }
        });
      }
    };
    return chain.filter(exchange.mutate().request(counted).build());
  }
}
