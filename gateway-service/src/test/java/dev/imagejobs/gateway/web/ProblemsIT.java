package dev.imagejobs.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.Tokens;
import dev.imagejobs.tokens.DevTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;

class ProblemsIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper","aspectRatio":"1:1"}""";

  @Test
  void givenNoTokenThenUnauthorizedProblemWithABearerChallenge() {
    http.get().uri(JOBS).exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .expectBody()
        .jsonPath("$.status").isEqualTo(401)
        .jsonPath("$.title").isEqualTo("Unauthorized")
        .jsonPath("$.instance").isEqualTo(JOBS);
    http.get().uri("/api/v1/no-such-route").exchange().expectStatus().isUnauthorized();
  }

  @Test
  void givenTokenSignedWithAnotherSecretExpiredOrWithoutTenantThenItIsRefused() {
    String foreign =
        DevTokens.mint("some-other-secret-that-is-long-enough-0123456789", "tenant-x", Duration.ofHours(1));
    String expired = DevTokens.mint(Tokens.SECRET, DevTokens.DEFAULT_TENANT_CLAIM, "tenant-x", Duration.ofMinutes(1),
        Instant.now().minus(Duration.ofHours(2)));
    String noTenant = DevTokens.mint(Tokens.SECRET, "organisation", "tenant-x", Duration.ofHours(1), Instant.now());

    for (String token : new String[] {foreign, expired, noTenant, "not-a-jwt"}) {
      http.get().uri(JOBS).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().value(HttpHeaders.WWW_AUTHENTICATE,
              challenge -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
    }
    http.get().uri(JOBS).header(HttpHeaders.AUTHORIZATION, "Bearer " + noTenant).exchange()
        .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("'tenant'"));
  }

  @Test
  void givenUnknownRouteThenNotFoundProblem() {
    as("problems").get().uri("/api/v1/no-such-route").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(404);
  }

  @Test
  void givenWrongMethodThenMethodNotAllowedProblemWithTheAllowedOnes() {
    as("problems").delete().uri(JOBS + "/some-job").exchange()
        .expectStatus().isEqualTo(405)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectHeader().value(HttpHeaders.ALLOW, allow -> assertThat(allow).contains("GET"))
        .expectBody().jsonPath("$.status").isEqualTo(405);
  }

  @Test
  void givenBodyThatIsNotJsonThenUnsupportedMediaTypeProblem() {
    as("problems").post().uri(JOBS).contentType(MediaType.TEXT_PLAIN).bodyValue("make me a picture").exchange()
        .expectStatus().isEqualTo(415)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(415);
  }

  @Test
  void givenUnacceptableResponseTypeThenNotAcceptableProblem() {
    as("problems").get().uri(JOBS + "/some-job").accept(MediaType.valueOf("text/csv")).exchange()
        .expectStatus().isEqualTo(406)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(406);
  }

  @Test
  void givenBodyAboveTheLimitThenContentTooLargeProblemWhetherAnnouncedOrChunked() {
    String large = BODY.replace("A lighthouse keeper", "x".repeat(70_000));
    long jobsBefore = jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'problems'", Long.class);

    as("problems").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(large).exchange()
        .expectStatus().isEqualTo(413)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.title").isEqualTo("Request body too large");

    byte[] bytes = large.getBytes(StandardCharsets.UTF_8);
    DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
    Flux<DataBuffer> chunked = Flux.range(0, 8).map(i -> buffers.wrap(java.util.Arrays.copyOfRange(
        bytes, i * bytes.length / 8, (i + 1) * bytes.length / 8)));
    as("problems").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).body(chunked, DataBuffer.class).exchange()
        .expectStatus().isEqualTo(413)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);

    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'problems'", Long.class))
        .isEqualTo(jobsBefore);
  }

  @Test
  void givenTheApiDocumentHealthAndThePageThenNoTokenIsNeeded() {
    http.get().uri("/v3/api-docs").exchange().expectStatus().isOk();
    http.get().uri("/actuator/health").exchange().expectStatus().isOk();
    http.get().uri("/").accept(MediaType.TEXT_HTML).exchange().expectStatus().isOk();
    http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
  }
}
