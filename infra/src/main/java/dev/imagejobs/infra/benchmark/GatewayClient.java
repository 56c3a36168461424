package dev.imagejobs.infra.benchmark;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark's HTTP client of the gateway's REST API, authorised with the stack's development
 * token. Requests are asynchronous on a few event-loop threads, so an open-loop load never waits
 * for an answer before sending the next request; connections are pooled and kept alive as a
 * client library would, and a request waiting for a connection is still timed from its intended
 * send time by the caller.
 */
final class GatewayClient implements AutoCloseable {

  static final String JOBS = "/api/v1/images/jobs";
  static final String STATS = "/api/v1/images/stats";
  static final String PROJECT_EVENTS = "/api/v1/images/events?projectId=";
  private static final int MAX_CONNECTIONS = 1024;
  private static final int LIST_PAGE = 100;

  private final ConnectionProvider pool;
  private final HttpClient http;
  private final HttpClient json;
  private final JsonMapper mapper;

  GatewayClient(String baseUrl, String token, JsonMapper mapper) {
    this.mapper = mapper;
    this.pool = ConnectionProvider.builder("benchmark-gateway")
        .maxConnections(MAX_CONNECTIONS)
        .pendingAcquireMaxCount(-1)
        .pendingAcquireTimeout(Duration.ofMinutes(5))
        .maxIdleTime(Duration.ofSeconds(50))
        .build();
    this.http = HttpClient.create(pool)
        .baseUrl(baseUrl)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .headers(headers -> {
          if (token != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
          }
        });
    this.json = http.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON));
  }

  /** Submits a job request; the answer's status, the job id of a 202 and whether Retry-After came along. */
  Mono<PostOutcome> submit(String body) {
    return json.post()
        .uri(JOBS)
        .send(ByteBufMono.fromString(Mono.just(body)))
        .responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
          int status = response.status().code();
          String jobId = status == 202 ? JobViewFields.parse(mapper, text).jobId() : null;
          return new PostOutcome(status, jobId, response.responseHeaders().contains("Retry-After"));
        }));
  }

  /** GETs {@code pathAndQuery} and reads the JSON answer; fails on any status but 200. */
  JsonNode getJson(String pathAndQuery, Duration timeout) {
    String body = http.get()
        .uri(pathAndQuery)
        .responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
          if (response.status().code() != 200) {
            throw new IllegalStateException("GET " + pathAndQuery + " answered " + response.status().code() + ": " + text);
          }
          return text;
        }))
        .block(timeout);
    return mapper.readTree(body);
  }

  /** Every job of {@code project} as the job list shows it, newest first, read page by page. */
  List<JsonNode> jobsOfProject(String project, Duration timeoutPerPage) {
    List<JsonNode> jobs = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = getJson(JOBS + "?projectId=" + project + "&limit=" + LIST_PAGE
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), timeoutPerPage);
      page.path("items").forEach(jobs::add);
      JsonNode next = page.path("nextCursor");
      cursor = next.isString() && !next.asString().isEmpty() ? next.asString() : null;
    } while (cursor != null);
    return jobs;
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(10));
  }
}
