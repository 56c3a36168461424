package dev.imagejobs.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.Tokens;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

class IdempotencyIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper with a red scarf","aspectRatio":"16:9"}""";
  /** The same request: other field order and whitespace. */
  private static final String SAME_BODY_REFORMATTED = """
      { "aspectRatio": "16:9", "prompt": "A lighthouse keeper with a red scarf", "assetId": "hero",
        "branchId": "main", "projectId": "p1", "jobType": "ASSET_IMAGE_KEY" }""";

  @Autowired
  private IdempotencyKeyCleanup cleanup;

  @LocalServerPort
  private int port;

  @Test
  void givenSameKeyAndBodyWhenPostedAgainThenTheSameJobAndTheSameResponseAreReplayed() {
    String key = UUID.randomUUID().toString();

    EntityExchangeResult<String> first = post("idem-a", key, BODY);
    EntityExchangeResult<String> again = post("idem-a", key, SAME_BODY_REFORMATTED);

    assertThat(first.getStatus().value()).isEqualTo(202);
    assertThat(again.getStatus().value()).isEqualTo(202);
    assertThat(again.getResponseBody()).isEqualTo(first.getResponseBody());
    assertThat(again.getResponseHeaders().getLocation()).isEqualTo(first.getResponseHeaders().getLocation());
    assertThat(again.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
    assertThat(first.getResponseHeaders().getFirst("Idempotent-Replayed")).isNull();
    assertThat(again.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
    assertThat(jobsOf("idem-a")).isEqualTo(1);
    assertThat(jdbc().queryForObject(
        "SELECT job_id FROM idempotency_keys WHERE tenant_id = 'idem-a' AND idempotency_key = ?", String.class, key))
        .isEqualTo(jobIdOf(first));
  }

  @Test
  void givenSameKeyWithAnotherBodyThenUnprocessableProblemAndNothingIsWritten() {
    String key = UUID.randomUUID().toString();
    post("idem-b", key, BODY);

    as("idem-b").post().uri(JOBS).header(IdempotencyKey.HEADER, key).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(BODY.replace("red scarf", "blue scarf"))
        .exchange()
        .expectStatus().isEqualTo(422)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(422)
        .jsonPath("$.title").isEqualTo("Idempotency key reused");

    assertThat(jobsOf("idem-b")).isEqualTo(1);
  }

  @Test
  void givenTwentyConcurrentIdenticalRequestsThenExactlyOneJobIsCreatedAndAllGetItsResponse() {
    String key = UUID.randomUUID().toString();
    WebClient client = WebClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader(HttpHeaders.AUTHORIZATION, Tokens.bearer("idem-c"))
        .build();

    List<Answer> answers = Flux.range(0, 20)
        .flatMap(i -> client.post().uri(JOBS)
            .header(IdempotencyKey.HEADER, key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(BODY)
            .exchangeToMono(response -> response.bodyToMono(String.class)
                .map(body -> new Answer(response.statusCode().value(),
                    response.headers().asHttpHeaders().getFirst(HttpHeaders.LOCATION), body))),
            20)
        .collectList()
        .block(PATIENCE);

    assertThat(answers).hasSize(20);
    assertThat(answers).extracting(Answer::status).containsOnly(202);
    assertThat(answers).extracting(Answer::location).containsOnly(answers.get(0).location());
    assertThat(answers).extracting(Answer::body).containsOnly(answers.get(0).body());
    assertThat(jobsOf("idem-c")).isEqualTo(1);
    String jobId = answers.get(0).location().substring(JOBS.length() + 1);
    assertThat(jdbc().queryForObject("SELECT count(*) FROM job_events WHERE job_id = ?", Long.class, jobId))
        .isEqualTo(1);
  }

  @Test
  void givenSameKeyFromAnotherTenantThenItIsAnotherJob() {
    String key = UUID.randomUUID().toString();

    String mine = jobIdOf(post("idem-d", key, BODY));
    String theirs = jobIdOf(post("idem-e", key, BODY));

    assertThat(theirs).isNotEqualTo(mine);
  }

  @Test
  void givenExpiredKeyThenItCreatesANewJobAndTheCleanupDeletesOnlyExpiredKeys() {
    String expiring = UUID.randomUUID().toString();
    String live = UUID.randomUUID().toString();
    String firstJob = jobIdOf(post("idem-f", expiring, BODY));
    post("idem-f", live, BODY);
    expire("idem-f", expiring);

    EntityExchangeResult<String> afterExpiry = post("idem-f", expiring, BODY.replace("red", "green"));

    assertThat(afterExpiry.getStatus().value()).as("an expired key is free again").isEqualTo(202);
    assertThat(jobIdOf(afterExpiry)).isNotEqualTo(firstJob);
    assertThat(afterExpiry.getResponseHeaders().getFirst("Idempotent-Replayed")).isNull();

    expire("idem-f", expiring);
    assertThat(cleanup.cleanUp().block(PATIENCE)).isGreaterThanOrEqualTo(1L);
    assertThat(jdbc().queryForList("SELECT idempotency_key FROM idempotency_keys WHERE tenant_id = 'idem-f'",
        String.class)).containsExactly(live);
  }

  @Test
  void givenAPriorityInTheBodyThenTheSameBodyReplaysAndANamedDefaultIsAnotherRequest() {
    String key = UUID.randomUUID().toString();
    String low = BODY.replace("\"aspectRatio\"", "\"priority\":\"low\",\"aspectRatio\"");

    EntityExchangeResult<String> first = post("idem-i", key, low);
    EntityExchangeResult<String> again =
        post("idem-i", key, "{\"priority\": \"low\", " + SAME_BODY_REFORMATTED.substring(1));

    assertThat(first.getResponseBody()).contains("\"priority\":\"low\"");
    assertThat(again.getResponseBody()).isEqualTo(first.getResponseBody());
    assertThat(again.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");

    String other = UUID.randomUUID().toString();
    post("idem-i", other, BODY);
    as("idem-i").post().uri(JOBS).header(IdempotencyKey.HEADER, other).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(BODY.replace("\"aspectRatio\"", "\"priority\":\"normal\",\"aspectRatio\""))
        .exchange()
        .expectStatus().isEqualTo(422);
    assertThat(jobsOf("idem-i")).isEqualTo(2);
  }

  @Test
  void givenAKeyStoredBeforeRequestsHadAPriorityThenTheSameBodyWithoutOneStillReplaysItsResponse() {
    String key = UUID.randomUUID().toString();
    String canonicalBeforePriorities = """
        {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","sceneId":null,"shotId":null,\
        "assetId":"hero","prompt":"A lighthouse keeper with a red scarf","styleCapsuleId":null,"aspectRatio":"16:9",\
        "imageSize":null}""";
    String storedBody = "{\"jobId\":\"job-before\",\"status\":\"queued\"}";
    jdbc().update("INSERT INTO idempotency_keys (tenant_id, idempotency_key, fingerprint, job_id, response_status,"
        + " response_location, response_body, expires_at) VALUES ('idem-j', ?, ?, 'job-before', 202,"
        + " '/api/v1/images/jobs/job-before', ?, now() + interval '1 hour')",
        key, IdempotencyKeys.fingerprint(canonicalBeforePriorities), storedBody);

    EntityExchangeResult<String> replayed = post("idem-j", key, BODY);

    assertThat(replayed.getResponseBody()).isEqualTo(storedBody);
    assertThat(replayed.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
    assertThat(jobsOf("idem-j")).isZero();
  }

  @Test
  void givenQuotedKeyThenItIsTheSameKeyAsTheBareOne() {
    String key = UUID.randomUUID().toString();

    String bare = jobIdOf(post("idem-g", key, BODY));
    EntityExchangeResult<String> quoted = post("idem-g", "\"" + key + "\"", BODY);

    assertThat(jobIdOf(quoted)).isEqualTo(bare);
    assertThat(quoted.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
  }

  @Test
  void givenUnusableKeyThenProblemNamesTheHeaderAndNothingIsWritten() {
    for (String key : List.of("k".repeat(256), "\"\"", "has space", "ünicode")) {
      as("idem-h").post().uri(JOBS).header(IdempotencyKey.HEADER, key).contentType(MediaType.APPLICATION_JSON)
          .bodyValue(BODY)
          .exchange()
          .expectStatus().isBadRequest()
          .expectBody().jsonPath("$.errors[0].field").isEqualTo(IdempotencyKey.HEADER);
    }
    assertThat(jobsOf("idem-h")).isZero();
  }

  private EntityExchangeResult<String> post(String tenant, String key, String body) {
    return as(tenant).post().uri(JOBS).header(IdempotencyKey.HEADER, key).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody(String.class).returnResult();
  }

  private void expire(String tenant, String key) {
    jdbc().update("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' "
        + "WHERE tenant_id = ? AND idempotency_key = ?", tenant, key);
  }

  private long jobsOf(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }

  private static String jobIdOf(EntityExchangeResult<String> result) {
    String location = result.getResponseHeaders().getLocation().toString();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private record Answer(int status, String location, String body) {}
}
