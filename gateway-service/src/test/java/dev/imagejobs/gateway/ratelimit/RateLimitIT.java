package dev.imagejobs.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

class RateLimitIT extends GatewayIntegrationTest {
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper","aspectRatio":"1:1"}""";

  @Test
  void givenTenantCreatingFasterThanAllowedThenTooManyRequestsWithRetryAfterAndOtherTenantsAreUnaffected() {
    List<EntityExchangeResult<String>> answers = new ArrayList<>();
    for (int i = 0; i < RATE_LIMIT_BURST + 10; i++) {
      answers.add(post("rl-a"));
    }

    List<EntityExchangeResult<String>> accepted =
        answers.stream().filter(answer -> answer.getStatus().value() == 202).toList();
    List<EntityExchangeResult<String>> limited =
        answers.stream().filter(answer -> answer.getStatus().value() == 429).toList();
    assertThat(accepted.size() + limited.size()).isEqualTo(answers.size());
    assertThat(accepted.size()).as("the burst, plus what refilled at 1/s meanwhile")
        .isBetween(RATE_LIMIT_BURST, RATE_LIMIT_BURST + 5);
    assertThat(answers.subList(0, RATE_LIMIT_BURST)).allMatch(answer -> answer.getStatus().value() == 202);
    EntityExchangeResult<String> refused = limited.get(0);
    assertThat(refused.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(Integer.parseInt(refused.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER))).isBetween(1, 2);
    assertThat(refused.getResponseBody()).contains("\"status\":429").contains("Too many requests");
    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'rl-a'", Long.class))
        .isEqualTo(accepted.size());

    assertThat(post("rl-b").getStatus().value()).isEqualTo(202);
  }

  @Test
  void givenTenantRetryingAndCancelingFasterThanAllowedThenBothAreRefusedLikeCreation() {
    List<EntityExchangeResult<String>> answers = new ArrayList<>();
    for (int i = 0; i < RATE_LIMIT_BURST + 10; i++) {
      String command = i % 2 == 0 ? "retry" : "cancel";
      answers.add(as("rl-c").post().uri("/api/v1/images/jobs/no-such-job-" + i + "/" + command).exchange()
          .expectBody(String.class).returnResult());
    }

    List<EntityExchangeResult<String>> limited =
        answers.stream().filter(answer -> answer.getStatus().value() == 429).toList();
    assertThat(answers.size() - limited.size()).as("the burst, plus what refilled at 1/s meanwhile")
        .isBetween(RATE_LIMIT_BURST, RATE_LIMIT_BURST + 5);
    assertThat(answers).allMatch(answer -> answer.getStatus().value() == 404 || answer.getStatus().value() == 429);
    assertThat(limited).extracting(answer -> answer.getUrl().getPath().substring(answer.getUrl().getPath()
        .lastIndexOf('/') + 1)).contains("retry", "cancel");
    assertThat(limited.get(0).getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotNull();
  }

  private EntityExchangeResult<String> post(String tenant) {
    return as(tenant).post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(BODY)
        .exchange()
        .expectBody(String.class).returnResult();
  }
}
